import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from entracte.catalog.models import Area, Seat
from entracte.catalog.services import SeatMapInvalid, import_seatmap

from . import factories

pytestmark = pytest.mark.django_db


def test_import_creates_areas_seats_positions_and_standing():
    h = factories.hall(factories.seatmap_csv(rows=2, per_row=6, standing=25, aisle_after=3))
    assert Seat.objects.filter(area__hall=h).count() == 12
    positions = list(Seat.objects.filter(area__hall=h, row="A").order_by("x").values_list("position", flat=True))
    assert positions == [1, 2, 3, 5, 6, 7]  # the aisle after seat 3 leaves a gap
    pit = Area.objects.get(hall=h, code="pit")
    assert (pit.kind, pit.capacity) == ("standing", 25)


def test_bad_file_is_rejected_with_line_numbers_and_nothing_imported():
    factories.category("a")
    h = factories.hall()
    h2 = type(h).objects.create(venue=h.venue, name={"fr": "Autre"})
    rows = [
        "area,row,number,x,y,category,wheelchair,companion,capacity",
        "stalls,A,1,0,0,a,,,",
        "stalls,A,2,zero,0,a,,,",        # line 3: x not a number
        "stalls,A,1,10,0,a,,,",          # line 4: duplicate seat
        "stalls,A,3,20,0,nope,,,",       # line 5: unknown category
        "stalls,A,4,30,0,a,maybe,,",     # line 6: bad flag
        "pit,,,,,a,,,0",                 # line 7: standing without capacity
    ]
    text = "\n".join(rows)
    with pytest.raises(SeatMapInvalid) as info:
        import_seatmap(hall=h2, text=text)
    lines = sorted({line for line, _ in info.value.errors})
    assert lines == [3, 4, 5, 6, 7]
    assert not Seat.objects.filter(area__hall=h2).exists()
    assert not Area.objects.filter(hall=h2).exists()


def test_a_line_with_a_nul_is_rejected_before_the_database_sees_it():
    """PostgreSQL refuses NUL in text: the file is refused with the line, on SQLite alike."""
    factories.category("a")
    h = factories.hall()
    h2 = type(h).objects.create(venue=h.venue, name={"fr": "Autre"})
    text = "area,row,number,x,y,category\nstalls,A,1,0,0,a\nbal\x00con,A,1,0,10,a\n"
    with translation.override("fr"), pytest.raises(SeatMapInvalid) as info:
        import_seatmap(hall=h2, text=text)
    assert [(line, message) for line, message, *_params in info.value.errors] == [
        (3, "la ligne contient un caractère interdit (NUL)")]
    assert not Area.objects.filter(hall=h2).exists()


def test_missing_columns():
    h = factories.hall()
    h2 = type(h).objects.create(venue=h.venue, name={"fr": "Autre"})
    with pytest.raises(SeatMapInvalid) as info:
        import_seatmap(hall=h2, text="area,row,number\nstalls,A,1\n")
    assert info.value.errors[0][0] == 1 and "x" in info.value.errors[0][1]


def test_hall_with_a_seat_map_refuses_a_second(tmp_path):
    h = factories.hall()
    with pytest.raises(SeatMapInvalid):
        import_seatmap(hall=h, text=factories.seatmap_csv())


def test_management_command(tmp_path):
    h = factories.hall()
    h2 = type(h).objects.create(venue=h.venue, name={"fr": "Autre"})
    good = tmp_path / "map.csv"
    good.write_text(factories.seatmap_csv(rows=1, per_row=4))
    call_command("import_seatmap", str(h2.pk), str(good))
    assert Seat.objects.filter(area__hall=h2).count() == 4
    h3 = type(h).objects.create(venue=h.venue, name={"fr": "Troisième"})
    bad = tmp_path / "bad.csv"
    bad.write_text("area,row,number,x,y,category\nstalls,A,1,x,0,a\n")
    with pytest.raises(CommandError):
        call_command("import_seatmap", str(h3.pk), str(bad))
    assert not Seat.objects.filter(area__hall=h3).exists()
