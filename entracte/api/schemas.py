"""The base of the API's schemas that describe plain data.

django-ninja's `Schema` reads every field of what it validates through its ORM getter
(`DjangoGetter`: resolvers, managers, callables, file fields), in Python, even when the data
is a dict. A request body is always a dict, and so is an answer a service builds as one; for
those, pydantic's own validation (compiled) gives the same result for a fraction of the CPU.
The busiest endpoints' schemas (the scan at the door, the cart's holds and checkout, read on
the lean lanes of `api/lanes.py`) derive from `Plain`; a schema validated from model
instances keeps ninja's `Schema`. Both give the same OpenAPI description.
"""

from pydantic import BaseModel, ConfigDict


class Plain(BaseModel):
    model_config = ConfigDict(from_attributes=True)
