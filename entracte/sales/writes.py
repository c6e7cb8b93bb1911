"""The writes of a sale (sales/checkout.py place_order).

A sale no feature needs to see inside the transaction (checkout._nothing_between) is written
by `sell_and_record`: on PostgreSQL one statement without a transaction of its own (its seats
locked first, every write conditional on all of them being the holder's), so one round trip;
an email's first order takes the email's lock first and makes its guest contact in the same
statement, in a transaction of three round trips.
Any other sale runs in place_order's transaction: `sell` (seats sold, order, tickets), the
features' handlers, then `record` (payments, cart lines dropped, audit row); on PostgreSQL each
of the two groups is one statement (data-modifying CTEs). On SQLite the same writes run one by
one. What a feature's handler between the two groups sees is the same on both databases
(docs/performance.md, docs/architecture.md).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from entracte.core.rawsql import db, execute, fetch, insert, insert_part, param_datetime, saved
from entracte.customers import services as customers
from entracte.customers.models import Contact
from entracte.inventory import services as inventory

from .models import Order, Ticket

_SELL = """
    WITH sold AS ({mark_sold} AND id = ANY(%s) RETURNING id),
    counted AS (SELECT count(*) AS n FROM sold),
    o AS ({order}),
    t AS ({tickets})
    SELECT (SELECT n FROM counted), (SELECT id FROM o), ARRAY(SELECT id FROM t)
"""


def sell(*, seat_ids: list[int], token: str, now: datetime, order: Order, tickets: list[Ticket]) -> bool:
    """Mark the holder's seats sold, then insert the order and its tickets (built with
    `order=order`). False, with no order or ticket written, if a hold is no longer the
    holder's: the caller rolls the seats back by raising."""
    if db().vendor != "postgresql":
        if inventory.mark_sold(ids=seat_ids, token=token, now=now) != len(seat_ids):
            return False
        insert([order])
        _link(order, tickets)
        insert(tickets)
        return True
    order_sql, order_params = insert_part([order], source="counted", where="counted.n = %s")
    tickets_sql, tickets_params = insert_part(tickets, source="o", links={"order_id": "o.id"})
    sql = _SELL.format(mark_sold=inventory.MARK_SOLD_SQL, order=order_sql, tickets=tickets_sql)
    [(count, order_id, ticket_ids)] = fetch(sql, [token, param_datetime(now), seat_ids, *order_params, len(seat_ids),
                                                  *tickets_params], prepare=True)
    if count != len(seat_ids):
        return False
    saved([order], [order_id])
    _link(order, tickets)
    saved(tickets, ticket_ids)
    return True


def _link(order: Order, tickets: list[Ticket]) -> None:
    for ticket in tickets:
        ticket.order = order  # now that it has its id


_RECORD = """
    WITH p AS ({payments}),
    lines AS (DELETE FROM sales_cartitem WHERE cart_id = %s),
    a AS ({audit})
    SELECT ARRAY(SELECT id FROM p), (SELECT id FROM a)
"""
_RECORD_NO_PAYMENT = """
    WITH lines AS (DELETE FROM sales_cartitem WHERE cart_id = %s),
    a AS ({audit})
    SELECT ARRAY[]::bigint[], (SELECT id FROM a)
"""
_ONE_ROW = "(SELECT 1) AS one"


def record(*, cart_id: int, payments: list, entry) -> None:
    """Insert the payments, drop the cart's lines and insert the audit row."""
    if db().vendor != "postgresql":
        insert(payments)
        execute("DELETE FROM sales_cartitem WHERE cart_id = %s", [cart_id])
        insert([entry])
        return
    audit_sql, audit_params = insert_part([entry], source=_ONE_ROW)
    if payments:
        payments_sql, payments_params = insert_part(payments, source=_ONE_ROW)
        sql, params = _RECORD.format(payments=payments_sql, audit=audit_sql), [*payments_params, cart_id, *audit_params]
    else:
        sql, params = _RECORD_NO_PAYMENT.format(audit=audit_sql), [cart_id, *audit_params]
    [(payment_ids, entry_id)] = fetch(sql, params, prepare=True)
    saved(payments, payment_ids)
    saved([entry], [entry_id])


# Everything at once, for a sale with nothing to run between the two groups of writes
# (checkout._nothing_between): no transaction of its own to open and commit, one round trip
# (docs/performance.md). With no transaction to roll back, nothing may be written unless every
# seat is still the holder's: `mine` locks those that are (waiting for a concurrent claim, then
# looking at the seat again), and every write is conditional on their count.
_SELL_AND_RECORD = """
    WITH mine AS (SELECT id FROM inventory_performanceseat WHERE {held_by} AND id = ANY(%s) FOR UPDATE),
    counted AS (SELECT count(*) AS n FROM mine),{buyer}
    sold AS ({sell} WHERE id IN (SELECT id FROM mine) AND (SELECT n FROM counted) = %s RETURNING id),
    o AS ({order}),
    t AS ({tickets}),
    p AS ({payments}),
    lines AS (DELETE FROM sales_cartitem WHERE cart_id = %s AND EXISTS (SELECT 1 FROM o)),
    a AS ({audit})
    SELECT (SELECT n FROM counted), (SELECT id FROM o), ARRAY(SELECT id FROM t), ARRAY(SELECT id FROM p),
           (SELECT id FROM a){buyer_id}
"""
_NO_PAYMENT = "SELECT NULL::bigint AS id WHERE false"
# An email's first order (checkout.resolve_buyer): its guest contact is made by the same
# statement, in a transaction that first takes the email's lock (customers.lock_guest_email),
# so that the statement's `known` sees a contact another first order under the email committed
# meanwhile. Made only if the sale is: a sale that does not happen leaves no contact.
_NEW_GUEST = f"""
    known AS ({customers.GUEST_CONTACT_SQL}),
    made AS ({{contact}}),
    buyer AS (SELECT id FROM known UNION ALL SELECT id FROM made),"""
_MADE_IF_SOLD = "counted.n = %s AND NOT EXISTS (SELECT 1 FROM known)"


def sell_and_record(*, seat_ids: list[int], token: str, now: datetime, cart_id: int, order: Order,
                    tickets: list[Ticket], payments: list, entry, new_guest: Contact | None = None) -> bool:
    """sell() then record() as one atomic step; `payments` and `entry` (the audit row, its
    object the order) are built with the unsaved order. False, with nothing written, if a hold
    is no longer the holder's. `new_guest`: the buyer's guest contact, unsaved (an email's first
    order), written with the sale (customers.save_guest's rule) and given to the order and payments."""
    if db().vendor != "postgresql":
        with transaction.atomic():
            if new_guest is not None:
                _give_buyer(customers.save_guest(new_guest), order, payments)
            if not sell(seat_ids=seat_ids, token=token, now=now, order=order, tickets=tickets):
                transaction.set_rollback(True)  # the seats sold before the one found taken (and the contact)
                return False
            for payment in payments:
                payment.order = order
            entry.object_id = str(order.pk)
            record(cart_id=cart_id, payments=payments, entry=entry)
            return True
    if new_guest is None:
        return _sell_and_record(seat_ids, token, now, cart_id, order, tickets, payments, entry, None)
    with transaction.atomic():
        customers.lock_guest_email(new_guest.email)
        return _sell_and_record(seat_ids, token, now, cart_id, order, tickets, payments, entry, new_guest)


def _sell_and_record(seat_ids, token, now, cart_id, order, tickets, payments, entry, new_guest) -> bool:
    to_order = {"order_id": "o.id"}
    buyer_sql, buyer_params, order_source, order_links = "", [], "counted", {}
    if new_guest is not None:
        contact_sql, contact_params = insert_part([new_guest], source="counted", where=_MADE_IF_SOLD)
        buyer_sql = _NEW_GUEST.format(contact=contact_sql)
        buyer_params = [new_guest.email, *contact_params, len(seat_ids)]
        order_source, order_links = "counted CROSS JOIN buyer", {"contact_id": "buyer.id"}
        to_order = {**to_order, "contact_id": "buyer.id"}
    order_sql, order_params = insert_part([order], source=order_source, links=order_links, where="counted.n = %s")
    tickets_sql, tickets_params = insert_part(tickets, source="o", links={"order_id": "o.id"})
    payments_sql, payments_params = (insert_part(payments, source="o CROSS JOIN buyer" if new_guest else "o",
                                                 links=to_order) if payments else (_NO_PAYMENT, []))
    audit_sql, audit_params = insert_part([entry], source="o", links={"object_id": "CAST(o.id AS varchar)"})
    sql = _SELL_AND_RECORD.format(held_by=inventory.HELD_BY_SQL, buyer=buyer_sql, sell=inventory.SELL_SQL,
                                  order=order_sql, tickets=tickets_sql, payments=payments_sql, audit=audit_sql,
                                  buyer_id=", (SELECT id FROM buyer)" if new_guest else "")
    [(count, order_id, ticket_ids, payment_ids, entry_id, *buyer_id)] = fetch(
        sql, [token, param_datetime(now), seat_ids, *buyer_params, len(seat_ids), *order_params, len(seat_ids),
              *tickets_params, *payments_params, cart_id, *audit_params], prepare=True)
    if count != len(seat_ids):
        return False
    if new_guest is not None:
        saved([new_guest], buyer_id)
        _give_buyer(new_guest, order, payments)
    saved([order], [order_id])
    _link(order, tickets)
    saved(tickets, ticket_ids)
    for payment in payments:
        payment.order = order
    saved(payments, payment_ids)
    entry.object_id = str(order_id)
    saved([entry], [entry_id])
    return True


def _give_buyer(contact: Contact, order: Order, payments: list) -> None:
    """The order and payments built with the unsaved contact get its id."""
    order.contact = contact
    for payment in payments:
        payment.contact = contact
