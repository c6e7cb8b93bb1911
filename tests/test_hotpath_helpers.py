"""The helpers the on-sale hot path relies on: the catalogue cache and the lean SQL helpers.

A cache that outlived a staff edit would sell what staff just closed; a lean insert that
stored a value differently from the ORM would corrupt orders. Both run on SQLite and PostgreSQL.
"""

import copy
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from entracte.catalog import selectors as catalog
from entracte.catalog.models import Price, SeatCategory, Tariff
from entracte.core import rawsql
from entracte.core.models import AuditEntry
from entracte.customers.models import User
from entracte.sales import carts
from entracte.sales.errors import SalesClosed, TariffNotAvailable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.ENTRACTE_CATALOGUE_CACHE_SECONDS = 60  # long enough that only invalidation can explain a change


def _hold(cart, perf, tariff="reduit"):
    return carts.add_best_available(cart=cart, performance=catalog.performance_for_sale(perf.pk),
                                    category_id=SeatCategory.objects.get(code="a").pk, quantity=1,
                                    tariff_id=Tariff.objects.get(code=tariff).pk)


def test_deleting_a_price_refuses_the_next_hold_at_once(perf, web_pos):
    cart = carts.create_cart(point_of_sale=web_pos)
    _hold(cart, perf)  # fills the cache
    Price.objects.get(performance=perf, tariff__code="reduit", category__code="a").delete()
    with pytest.raises(TariffNotAvailable):
        _hold(cart, perf)


def test_taking_a_tariff_off_a_channel_refuses_the_next_hold_at_once(perf, web_pos):
    cart = carts.create_cart(point_of_sale=web_pos)
    _hold(cart, perf)
    Tariff.objects.get(code="reduit").channels.remove(web_pos.channel)
    with pytest.raises(TariffNotAvailable):
        _hold(cart, perf)


def test_closing_sales_refuses_the_next_hold_at_once(perf, web_pos):
    cart = carts.create_cart(point_of_sale=web_pos)
    _hold(cart, perf)
    perf.sales_close_at = timezone.now() - timedelta(minutes=1)
    perf.save()
    with pytest.raises(SalesClosed):
        _hold(cart, perf)


def test_renaming_a_tariff_shows_in_the_cart_at_once(perf, web_pos):
    from entracte.sales import selectors

    cart = carts.create_cart(point_of_sale=web_pos)
    _hold(cart, perf)
    assert selectors.cart_view(cart).items[0].tariff_name["fr"] == "Reduit"
    tariff = Tariff.objects.get(code="reduit")
    tariff.name = {"fr": "Tarif réduit"}
    tariff.save()
    assert selectors.cart_view(cart).items[0].tariff_name["fr"] == "Tarif réduit"


def test_a_place_added_after_the_places_were_cached_is_offered(perf, web_pos, settings):
    from entracte.catalog.models import Seat
    from entracte.inventory.models import PerformanceSeat

    settings.ENTRACTE_CATALOGUE_CACHE_SECONDS = 600
    category = SeatCategory.objects.get(code="a")
    _hold(carts.create_cart(point_of_sale=web_pos), perf)  # the performance's places are cached now
    existing = PerformanceSeat.objects.filter(performance=perf, category=category).first()
    # Added as another process would: no signal reaches this process's cache (bulk_create sends none).
    [seat] = Seat.objects.bulk_create([Seat(area=existing.area, row="Z", number="1", position=1, x=0, y=90,
                                            category=category)])
    [added] = PerformanceSeat.objects.bulk_create([PerformanceSeat(performance=perf, seat=seat, area=existing.area,
                                                                   category=category)])
    PerformanceSeat.objects.filter(performance=perf, category=category).exclude(pk=added.pk).update(state="sold")
    held = _hold(carts.create_cart(point_of_sale=web_pos), perf)
    assert [h.performance_seat_id for h in held] == [added.pk]


def test_lean_insert_stores_what_the_orm_would():
    actor = User.objects.create_user(email="staff@example.org", password="x", is_staff=True)
    before = timezone.now()
    lean, = rawsql.insert([AuditEntry(action="test.lean", object_type="t", object_id="1", actor=actor,
                                      data={"amount": "12.30", "names": ["é", "ü"]})])
    orm = AuditEntry.objects.create(action="test.orm", object_type="t", object_id="1", actor=actor,
                                    data={"amount": "12.30", "names": ["é", "ü"]})
    stored = AuditEntry.objects.get(pk=lean.pk)
    assert lean.pk != orm.pk and not lean._state.adding
    assert stored.data == orm.data == {"amount": "12.30", "names": ["é", "ü"]}
    assert stored.actor_id == actor.pk
    assert before <= stored.created_at <= timezone.now()  # auto_now_add applied
    assert stored.created_at.tzinfo is not None


def _as_django_prepares(objs, skip=()):
    connection = rawsql.db()
    fields = [f for f in type(objs[0])._meta.concrete_fields if not f.primary_key and f.column not in skip]
    return [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]


def _odd_values(model):
    """Per field, values of types a field may be given besides its own (Django converts them)."""
    from datetime import datetime

    from django.db.models import fields as f

    for field in model._meta.concrete_fields:
        if field.primary_key or field.is_relation:
            continue
        if isinstance(field, f.IntegerField):
            yield field, ["7", True, 7.0, 2**40]
        elif isinstance(field, f.DecimalField):
            yield field, [Decimal("1.5"), 1.25, "2.50", 3, Decimal("-0.00")]
        elif isinstance(field, f.BooleanField):
            yield field, [1, 0, True]
        elif isinstance(field, f.DateTimeField) and not (field.auto_now or field.auto_now_add):
            yield field, [timezone.now(), datetime(2026, 1, 2, 3, 4, 5)]
        elif isinstance(field, (f.CharField, f.TextField)) and not field.choices:
            yield field, ["é", 42]


def test_insert_values_are_the_orms(perf, web_pos, recwarn):
    """core/insert_values takes values of the field's own type as they are, and every other
    value the ORM's way: for each model the sale writes, the values equal what Django prepares,
    of the same type, odd values (a str in an integer field, a naive datetime, …) included."""
    from datetime import datetime

    from django.apps import apps

    from entracte.core.insert_values import values
    from entracte.customers.services import guest_contact
    from entracte.sales import checkout

    from .factories import GOOD_CARD

    cart = carts.create_cart(point_of_sale=web_pos)
    _hold(cart, perf)
    checkout.place_order(cart=cart, buyer=checkout.Buyer(contact=guest_contact(email="prep@example.org"),
                                                         email="prep@example.org", language="fr"), payment_data=GOOD_CARD)
    _hold(cart, perf)  # a cart line
    models = ["sales.Order", "sales.Ticket", "sales.Payment", "core.AuditEntry", "customers.Contact", "sales.CartItem"]
    for label in models:
        model = apps.get_model(label)
        sample = model.objects.order_by("-pk").first()
        for field, odd in [(None, [None]), *_odd_values(model)]:
            for value in odd:
                obj = model.from_db("default", [f.attname for f in model._meta.concrete_fields],
                                    [getattr(sample, f.attname) for f in model._meta.concrete_fields])
                if field is not None:
                    setattr(obj, field.attname, value)
                twin = copy.copy(obj)
                twin.__dict__ = dict(obj.__dict__)
                fields, [ours] = values([obj], (), rawsql.db())
                [theirs] = _as_django_prepares([twin])
                for field_, a, b in zip(fields, ours, theirs):
                    if getattr(field_, "auto_now", False) or getattr(field_, "auto_now_add", False):
                        stamped = getattr(obj, field_.attname)  # set by the preparation, as Django does
                        assert type(a) is type(b) and stamped.tzinfo is not None, (label, field_.name)
                        assert a == (stamped if isinstance(a, datetime) else rawsql.param_datetime(stamped))
                        continue
                    assert type(a) is type(b), (label, field_.name, value, a, b)
                    assert getattr(a, "obj", a) == getattr(b, "obj", b), (label, field_.name, value, a, b)  # Jsonb: .obj


@pytest.mark.parametrize("at_once", [True, False], ids=["sell_and_record", "sell_then_record"])
def test_the_sale_s_writes_store_what_the_instances_hold(perf, web_pos, monkeypatch, at_once):
    """sales/writes.py (on PostgreSQL one statement, or one per group of writes around the
    features' handlers; steps on SQLite): every column of the order, its tickets, payment and
    audit row reads back as the instance had it, and the cart's lines are gone."""
    from entracte.core.models import AuditEntry
    from entracte.customers.services import guest_contact
    from entracte.sales import checkout
    from entracte.sales.models import CartItem, Payment

    from .factories import GOOD_CARD

    if not at_once:
        monkeypatch.setattr(checkout, "_nothing_between", lambda **_kw: False)
    cart = carts.create_cart(point_of_sale=web_pos)
    carts.add_best_available(cart=cart, performance=catalog.performance_for_sale(perf.pk),
                             category_id=SeatCategory.objects.get(code="a").pk, quantity=2,
                             tariff_id=Tariff.objects.get(code="reduit").pk)
    buyer = checkout.Buyer(contact=guest_contact(email="writes@example.org"), email="writes@example.org", language="de")
    order = checkout.place_order(cart=cart, buyer=buyer, payment_data=GOOD_CARD)
    written = [order, *(ticket for ticket, _line in order.sold)]
    written += list(Payment.objects.filter(order=order)) + [AuditEntry.objects.get(action="order.placed", object_id=str(order.pk))]
    for instance in written[:3]:
        stored = type(instance).objects.get(pk=instance.pk)
        for field in instance._meta.concrete_fields:
            assert getattr(stored, field.attname) == getattr(instance, field.attname), (type(instance).__name__, field.name)
    payment, entry = written[3:]
    assert payment.order_id == order.pk and payment.amount == order.total and payment.contact_id == buyer.contact.pk
    assert entry.object_type == "sales.order" and entry.data["tickets"] == 2 and entry.data["total"] == str(order.total)
    assert order.language == "de" and order.confirmation_due and all(t.order_id == order.pk for t, _l in order.sold)
    assert not CartItem.objects.filter(cart=cart).exists()


def test_lean_insert_keeps_decimals_exact_and_pks_in_order(perf, web_pos):
    from entracte.customers.models import Contact
    from entracte.sales.models import Order

    contact = Contact.objects.create(email="a@example.org")
    orders = rawsql.insert([
        Order(contact=contact, email=contact.email, point_of_sale=web_pos, currency="EUR",
              subtotal=Decimal(sub), order_fee=Decimal("2.00"), total=Decimal(sub) + 2)
        for sub in ("0.10", "99999.99", "33.33")
    ])
    stored = {o.pk: o for o in Order.objects.filter(pk__in=[o.pk for o in orders])}
    assert [stored[o.pk].subtotal for o in orders] == [Decimal("0.10"), Decimal("99999.99"), Decimal("33.33")]
    assert [stored[o.pk].total for o in orders] == [Decimal("2.10"), Decimal("100001.99"), Decimal("35.33")]
    assert len({stored[o.pk].number for o in orders}) == 3  # callable defaults run per row


@pytest.mark.parametrize("prepare", [False, True])
def test_fetch_gives_the_same_rows_prepared_or_not(perf, prepare):
    sql = "SELECT id, state FROM inventory_performanceseat WHERE performance_id = %s ORDER BY id"
    expected = [tuple(r) for r in perf.inventory.order_by("id").values_list("id", "state")]
    for _ in range(3):  # prepared statements are reused from the second call on
        assert rawsql.fetch(sql, [perf.pk], prepare=prepare) == expected


TIMESTAMPS = [
    "2026-11-24 10:00:00+00", "2026-11-24 10:00:00.123456+00", "2026-03-29 01:59:59.5+00",
    "2026-11-24 11:00:00.000001+01", "2027-06-30 23:59:59.999999-09:30", "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


@pytest.mark.parametrize("text", TIMESTAMPS)
def test_timestamps_read_as_django_reads_them(db, text):
    """core/pgtypes: timestamps come back through psycopg's compiled loader, equal to what
    Django's own loader gives (the same instant, Django's tzinfo), with raw and ORM cursors."""
    from datetime import datetime

    if rawsql.db().vendor != "postgresql":
        pytest.skip("PostgreSQL's timestamp type only")
    from django.db import connection
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.pq import Format

    from entracte.core.pgtypes import loader_for

    connection.ensure_connection()
    oid = connection.connection.adapters.types["timestamptz"].oid
    assert connection.connection.adapters.get_loader(oid, Format.TEXT) is loader_for(connection.timezone)

    class Djangos(BaseTzLoader):
        timezone = connection.timezone

    sql = "SELECT CAST(%s AS timestamptz), CAST(CAST(%s AS timestamptz) AS text)"
    for row in (rawsql.fetch(sql, [text, text], prepare=True)[0], rawsql.fetch(sql, [text, text])[0]):
        value, as_text = row
        expected = Djangos(oid, connection.connection).load(as_text.encode())
        assert value == expected and value.tzinfo is expected.tzinfo is connection.timezone
        assert isinstance(value, datetime)
