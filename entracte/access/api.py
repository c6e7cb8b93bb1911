from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field
from pydantic import ValidationError as PydanticError

from entracte.api.schemas import Plain
from entracte.catalog.models import Performance
from entracte.core.translated import tr
from entracte.customers.auth import StaffBearerToken, bearer_token, touch
from entracte.sales.api import ERRORS
from entracte.sales.tickets import seat_label

from . import selectors, services
from .messages import describe

router = Router(tags=["access control"])
controller = StaffBearerToken("access.scan")


class ScanIn(Plain):
    performance_id: int
    code: str = Field(min_length=1, max_length=64)
    gate_id: int | None = None


class ScanOut(Plain):
    result: str = Field(description="valid, already_scanned, cancelled, wrong_performance or unknown")
    message: str
    seat: str
    tariff: str
    first_scanned_at: datetime | None
    first_gate: str


class CodeOut(Schema):
    code: str
    seat: str
    tariff: str
    scanned: bool


class CountsOut(Schema):
    performance_id: int
    tickets: int
    scanned: int
    expected: int


@router.post("/access/scan", response={200: ScanOut, **ERRORS}, auth=controller,
             summary="Scan a ticket code at a gate: the first valid scan admits, any other is refused with the reason")
def scan(request, payload: ScanIn):
    return read_code(payload, request.auth)


def read_code(reading: ScanIn, controller_user) -> dict:
    """A reading at a gate, as the controller sees it."""
    _check_place(reading)
    return describe(services.scan_ticket(code=reading.code, performance_id=reading.performance_id, gate=reading.gate_id,
                                         actor=controller_user))


def _check_place(reading: ScanIn) -> None:
    """Http404 for an unknown performance or a gate of another venue (before anything is written)."""
    if not selectors.is_known_place(reading.performance_id, reading.gate_id):
        raise Http404


def scan_lane(request, payload) -> tuple[int, dict] | None:
    """`scan` on the lean lane (entracte/api/lanes.py): the same reading and answer, the token
    checked in the scan's own statement. Declines (None), having written nothing, whatever the
    endpoint would refuse: a body it would not accept, an unknown place, no or a bad token, a
    caller without the permission."""
    try:
        reading = ScanIn.model_validate(payload)
        _check_place(reading)
    except (PydanticError, Http404):
        return None
    token = bearer_token(request)
    if token is None:
        return None
    caller, outcome = services.scan_ticket_checked(controller.check(token), code=reading.code, gate=reading.gate_id,
                                                   performance_id=reading.performance_id)
    if outcome is None:
        return None
    touch(caller.token_id, caller.last_used_at)
    return 200, ScanOut.model_validate(describe(outcome)).model_dump()


@router.get("/access/performances/{performance_id}/codes", response={200: list[CodeOut], **ERRORS}, auth=controller,
            summary="The valid codes of a performance, for an offline scanner")
def codes(request, performance_id: int):
    performance = get_object_or_404(Performance, pk=performance_id)
    return [{"code": t.code, "seat": seat_label(t), "tariff": tr(t.tariff.name), "scanned": t.scanned_at is not None}
            for t in selectors.valid_codes(performance)]


@router.get("/access/performances/{performance_id}/counts", response={200: CountsOut, **ERRORS}, auth=controller,
            summary="Tickets and scanned tickets of a performance")
def counts(request, performance_id: int):
    performance = get_object_or_404(Performance, pk=performance_id)
    return {"performance_id": performance.pk, **selectors.scan_counts([performance.pk])[performance.pk]}
