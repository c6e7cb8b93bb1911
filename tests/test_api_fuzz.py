"""The API fuzzed from its own OpenAPI schema: whatever comes in, no 500 and no undocumented body."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from entracte.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_on_any_input(case, perf):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, case.path_parameters, case.body, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) >= {"code", "message"}, body
        assert body["message"]
