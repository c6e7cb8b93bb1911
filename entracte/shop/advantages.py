"""Advantages and codes on the selling pages (the shop and the box office): the tariff
choices of each cart line with the advantaged prices the buyer may use, and the "advantage
code" box. Each page gives the buyer's contact: the logged-in spectator, or the contact the
operator attached to the sale."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext as _

from entracte.advantages import errors, rules, services
from entracte.advantages import selectors as advantages
from entracte.advantages.codes import display
from entracte.catalog.models import Performance
from entracte.core.errors import DomainError
from entracte.core.translated import tr
from entracte.sales import carts
from entracte.sales import selectors as sales

from .holding import to_int


@dataclass(frozen=True)
class TariffOption:
    value: str           # "12" (a grid tariff) or "a3-12" (advantage 3, tariff 12)
    label: str
    selected: bool


def tariff_options(view, contact) -> dict[int, list[TariffOption]]:
    """Per loose cart line: its grid tariffs, then the advantages' tariffs the buyer may use on it."""
    if view is None:
        return {}
    grid = sales.tariff_choices(view)
    buyer = advantages.buyer_of(contact, view.cart)
    now = timezone.now()
    offers = {perf.pk: advantages.offers_for_performance(performance=perf, buyer=buyer, now=now,
                                                         channel_id=view.cart.point_of_sale.channel_id)
              for perf in Performance.objects.filter(pk__in={i.performance_id for i in view.loose})}
    names = {}
    result = {}
    for item in view.loose:
        on_advantage = item.price_source == services.SOURCE
        options = [TariffOption(str(t.pk), tr(t.name), not on_advantage and t.pk == item.tariff_id) for t in grid.get(item.id, [])]
        for offer in offers.get(item.performance_id, []):
            for category, tariff, amount in offer.prices:
                if category != item.category_id:
                    continue
                if tariff not in names:
                    names[tariff] = tr(_tariff_name(tariff))
                selected = on_advantage and item.price_ref == offer.terms.id and item.tariff_id == tariff
                options.append(TariffOption(f"a{offer.terms.id}-{tariff}", f"{names[tariff]} — {offer.terms.label} ({_money(amount, view)})",
                                            selected))
        result[item.id] = options
    return result


def offers_on_page(performance, cart, contact, point_of_sale) -> list[dict]:
    """The advantages this buyer may use on a performance, with their prices, for its page."""
    from entracte.catalog import selectors as catalog

    buyer = advantages.buyer_of(contact, cart)
    offers = advantages.offers_for_performance(performance=performance, buyer=buyer, now=timezone.now(),
                                               channel_id=point_of_sale.channel_id)
    return [{"label": o.terms.label, "target": o.terms.target,
             "prices": [{"category": tr(catalog.name_of("seatcategory", c)), "tariff": tr(_tariff_name(t)), "amount": a}
                        for c, t, a in o.prices]} for o in offers]


def subscription_offers(product, cart, contact, channel_id: int) -> list[rules.Terms]:
    """The advantages this buyer may use on a subscription product."""
    return advantages.offers_for_subscription(product_id=product.pk, buyer=advantages.buyer_of(contact, cart),
                                              channel_id=channel_id, now=timezone.now())


def chosen_subscription_prices(request, offers: list[rules.Terms], *, product, cart, contact, channel_id: int):
    """The advantage chosen on a subscription page (`advantage` in the form or the address):
    (its terms, its SpecialPrices) or (None, None). Raises, with the reason, when the buyer
    may not use it (the rules of `services.subscription_prices`, as the API's hold)."""
    wanted = to_int(request.POST.get("advantage") or request.GET.get("advantage"))
    if wanted is None:
        return None, None
    special = services.subscription_prices(product=product, advantage_id=wanted, cart=cart, channel_id=channel_id,
                                           contact=contact)
    terms = next((t for t in offers if t.id == wanted), None)
    if terms is None:  # allowed, but prices nothing
        raise errors.AdvantageNotForSubscription()
    return terms, special


def back_to(request, default: str):
    """After a code box: back to the page it was on (a path of this site), else `default`."""
    from django.shortcuts import redirect
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _tariff_name(tariff_id: int):
    from entracte.catalog import selectors as catalog

    return catalog.name_of("tariff", tariff_id)


def _money(amount: Decimal, view) -> str:
    from entracte.core.templatetags.entracte import money

    return money(amount, view.quote.currency)


def change_tariff_from_post(request, cart, item_id: int, contact) -> None:
    """A tariff choice: a grid tariff ("12") or an advantage's tariff ("a3-12")."""
    value = request.POST.get("tariff", "")
    if cart is None:
        return
    try:
        if value.startswith("a") and "-" in value:
            advantage, tariff = (to_int(v) for v in value[1:].split("-", 1))
            if advantage is not None and tariff is not None:
                services.use_advantage(cart=cart, item_id=item_id, advantage_id=advantage, tariff_id=tariff, contact=contact)
        elif to_int(value) is not None:
            carts.change_tariff(cart=cart, item_id=item_id, tariff_id=to_int(value))
    except DomainError as exc:
        messages.error(request, exc.message)


def apply_code_from_post(request, cart, contact) -> None:
    typed = request.POST.get("code", "").strip()
    if not typed:
        messages.error(request, _("Type a code."))
        return
    try:
        cart_code = services.apply_code(cart=cart, typed=typed, contact=contact, address=request.META.get("REMOTE_ADDR"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return
    if cart_code.promo_id:
        messages.success(request, _("Promo code “%(name)s” applied.") % {"name": tr(cart_code.promo.name)})
    else:
        messages.success(request, _("Advantage “%(name)s” unlocked: choose its tariff for your seats.") % {
            "name": tr(cart_code.advantage.name)})


def remove_code_from_post(request, cart, code_id: int) -> None:
    if cart is None:
        return
    try:
        services.remove_code(cart=cart, code_id=code_id)
    except DomainError as exc:
        messages.error(request, exc.message)


def codes_in_cart(view) -> list[dict]:
    """The codes of a cart as the cart page lists them, with what each does."""
    if view is None:
        return []
    applied = {d.key: d for d in view.quote.discounts}
    rows = []
    for code in advantages.codes_of_cart(view.cart):
        if code.promo_id:
            discount = applied.get(("promo", code.promo_id))
            note = "" if discount and discount.applies else (
                _("Applies from %(amount)s.") % {"amount": _money(code.promo.min_amount, view)} if discount else _("Does not apply."))
            rows.append({"id": code.pk, "label": tr(code.promo.name), "code": code.promo.access_code, "note": note})
        else:
            rows.append({"id": code.pk, "label": tr(code.advantage.name),
                         "code": display(code.single_use.code) if code.single_use_id else code.advantage.access_code, "note": ""})
    return rows


def counter_list(point_of_sale, contact, cart) -> list[dict]:
    """The box office's list of the advantages in operation at this point of sale: for each,
    its products, prices and quota left, and whether the sale's contact (or a code in the
    cart) entitles the buyer to it, or why not."""
    from entracte.catalog import selectors as catalog

    now = timezone.now()
    buyer = advantages.buyer_of(contact, cart)
    rows = []
    for advantage, terms in advantages.available(channel_id=point_of_sale.channel_id, now=now):
        refusal = rules.refusal(terms, buyer=buyer, channel=point_of_sale.channel_id, now=now, tickets=1)
        rows.append({
            "advantage": advantage, "terms": terms, "label": terms.label, "entitled": refusal is None,
            "reason": refusal.message if refusal is not None else "", "coded": terms.target in rules.CODED,
            "left": None if terms.quota is None else max(terms.quota - terms.used, 0),
            "performances": [p for p in advantage.performances.all() if p.starts_at > now],
            "subscriptions": list(advantage.subscription_products.all()),
            "prices": [{"category": tr(catalog.name_of("seatcategory", c)), "tariff": tr(_tariff_name(t)), "amount": a}
                       for (c, t), a in sorted(terms.prices.items())]})
    return rows


def apply_to_sale_from_post(request, cart, advantage_id: int, contact) -> None:
    if cart is None:
        messages.error(request, _("Add seats to the sale first."))
        return
    try:
        n = services.apply_to_cart(cart=cart, advantage_id=advantage_id, contact=contact)
    except DomainError as exc:
        messages.error(request, exc.message)
        return
    messages.success(request, _("Advantage applied to %(n)s seat(s).") % {"n": n})


def meant_for(contact) -> list:
    """The advantages in operation meant for this contact (general public, his indicator
    levels, his target lists), valid now or later: his personal space and his staff page."""
    if contact is None or contact.kind == contact.ANONYMOUS:
        return []
    return advantages.visible_to(contact=contact, now=timezone.now())


def personal_list(contact) -> list[dict]:
    """The personal space's advantages: each with its upcoming performances on sale, its
    subscriptions and its prices."""
    from entracte.catalog import selectors as catalog

    now = timezone.now()
    found = meant_for(contact)
    terms = advantages.terms_of(found)
    return [{"advantage": a, "label": terms[a.pk].label, "ends_at": a.ends_at,
             "performances": [p for p in a.performances.all() if p.on_sale(now)],
             "subscriptions": [s for s in a.subscription_products.all() if s.is_published and s.sales_close_at > now],
             "prices": [{"category": tr(catalog.name_of("seatcategory", c)), "tariff": tr(_tariff_name(t)), "amount": amt}
                        for (c, t), amt in sorted(terms[a.pk].prices.items())]} for a in found]


def gift(contact) -> bool:
    """At the box office: does this contact have advantages meant for him (the gift icon)?"""
    return any(a.target != rules.GENERAL for a in meant_for(contact))
