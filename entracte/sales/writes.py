"""The writes of a sale, in place_order's transaction (sales/checkout.py).

On PostgreSQL each group of writes is one statement (data-modifying CTEs): the seats marked
sold, the order and its tickets; then the payments, the cart's lines dropped and the audit row.
Four round trips to the database instead of eight for a web order (the checkout's app CPU
1.96 -> 1.67 ms in-process, docs/performance.md). Elsewhere (SQLite) the same writes run one
by one. The order of the writes, and so what a feature's handler between the two groups sees,
is the same either way.
"""

from __future__ import annotations

from datetime import datetime

from entracte.core.rawsql import db, execute, fetch, insert, insert_part, param_datetime, saved
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
