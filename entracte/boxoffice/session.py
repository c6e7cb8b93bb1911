"""What the operator's session remembers between pages: his point of sale, the cart of the
current sale and the contact it is for."""

from __future__ import annotations

from entracte.customers.models import Contact
from entracte.sales import carts, staff
from entracte.sales import selectors as sales

POS_KEY, CART_KEY, CONTACT_KEY = "bo_pos", "bo_cart", "bo_contact"


def point_of_sale(request):
    """The operator's point of sale: the one he chose, else the first he may use."""
    allowed = staff.points_of_sale_for(request.user)
    chosen = allowed.filter(pk=request.session.get(POS_KEY)).first() or allowed.first()
    if chosen is not None:
        request.session[POS_KEY] = chosen.pk
    return chosen


def cart(request, *, create: bool = False):
    pos = point_of_sale(request)
    if pos is None:
        return None
    token = request.session.get(CART_KEY)
    current = sales.cart_by_token(token) if token else None
    if current is not None and current.point_of_sale_id != pos.pk:
        current = None  # the operator switched point of sale: the old cart's holds simply expire
    if current is None and create:
        current = carts.create_cart(point_of_sale=pos)
        request.session[CART_KEY] = current.token
    return current


def contact(request) -> Contact | None:
    pk = request.session.get(CONTACT_KEY)
    return Contact.objects.filter(pk=pk).first() if pk else None


def new_sale(request) -> None:
    for key in (CART_KEY, CONTACT_KEY):
        request.session.pop(key, None)
