"""Loads the demo season of an opera house. Idempotent: a second run changes nothing."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction

from entracte.access.models import Gate
from entracte.catalog.models import (
    Contingent,
    Event,
    Hall,
    Performance,
    PointOfSale,
    Price,
    SalesChannel,
    Season,
    SeatCategory,
    Tariff,
    Venue,
)
from entracte.catalog.services import import_seatmap
from entracte.core import roles
from entracte.customers.models import Contact, User
from entracte.demo.hall import opera_seatmap_csv
from entracte.inventory.models import PerformanceSeat
from entracte.inventory.services import create_inventory

PARIS = ZoneInfo("Europe/Paris")
STAFF = ("admin@entracte.example", "entracte-admin")
SPECTATOR = ("spectateur@entracte.example", "entracte-demo")
OPERATOR = ("guichet@entracte.example", "entracte-guichet")
CONTROLLER = ("controle@entracte.example", "entracte-controle")
GATES = ("Entrée principale", "Entrée des artistes", "Balcon")

CATEGORIES = [
    ("cat1", "#8e1b2e", {"fr": "Catégorie 1", "en": "Category 1", "de": "Kategorie 1", "es": "Categoría 1"}),
    ("cat2", "#d4812a", {"fr": "Catégorie 2", "en": "Category 2", "de": "Kategorie 2", "es": "Categoría 2"}),
    ("cat3", "#2a7ab0", {"fr": "Catégorie 3", "en": "Category 3", "de": "Kategorie 3", "es": "Categoría 3"}),
    ("cat4", "#3c9a5f", {"fr": "Catégorie 4", "en": "Category 4", "de": "Kategorie 4", "es": "Categoría 4"}),
]
# code, names, share of the full price (None: free), channels
TARIFFS = [
    ("plein", {"fr": "Plein tarif", "en": "Full price", "de": "Normalpreis", "es": "Tarifa general"}, Decimal("1"), ("internet", "boxoffice", "phone")),
    ("reduit", {"fr": "Réduit", "en": "Reduced", "de": "Ermäßigt", "es": "Reducida"}, Decimal("0.8"), ("internet", "boxoffice", "phone")),
    ("jeune", {"fr": "Jeune (-26 ans)", "en": "Youth (under 26)", "de": "Jugend (unter 26)", "es": "Joven (menos de 26)"}, Decimal("0.5"), ("internet", "boxoffice", "phone")),
    ("abonne", {"fr": "Abonné", "en": "Subscriber", "de": "Abonnent", "es": "Abonado"}, Decimal("0.85"), ("boxoffice", "phone")),
    ("invite", {"fr": "Invité", "en": "Guest", "de": "Gast", "es": "Invitado"}, Decimal("0"), ("boxoffice",)),
]
CHANNELS = [
    ("internet", {"fr": "Internet", "en": "Internet", "de": "Internet", "es": "Internet"}),
    ("boxoffice", {"fr": "Guichet", "en": "Box office", "de": "Kasse", "es": "Taquilla"}),
    ("phone", {"fr": "Téléphone", "en": "Phone", "de": "Telefon", "es": "Teléfono"}),
]
POINTS_OF_SALE = [
    ("web", "internet", {"fr": "Billetterie en ligne", "en": "Online shop"}, Decimal("2.00"), 15),
    ("guichet", "boxoffice", {"fr": "Guichet de l'Opéra", "en": "Opera box office"}, Decimal("0.00"), 30),
    ("telephone", "phone", {"fr": "Vente par téléphone", "en": "Phone sales"}, Decimal("1.50"), 30),
]
# slug, names, full prices per category, performances (date, hour)
EVENTS = [
    ("la-traviata", {"fr": "La Traviata", "en": "La Traviata", "de": "La Traviata", "es": "La Traviata"},
     {"fr": "Opéra en trois actes de Giuseppe Verdi.", "en": "Opera in three acts by Giuseppe Verdi."},
     (120, 90, 60, 30), [("2027-01-15", 20), ("2027-01-17", 15), ("2027-01-20", 20)]),
    ("carmen", {"fr": "Carmen", "en": "Carmen", "de": "Carmen", "es": "Carmen"},
     {"fr": "Opéra-comique en quatre actes de Georges Bizet.", "en": "Opéra comique in four acts by Georges Bizet."},
     (110, 85, 55, 28), [("2027-02-12", 20), ("2027-02-14", 15), ("2027-02-18", 20)]),
    ("lac-des-cygnes", {"fr": "Le Lac des cygnes", "en": "Swan Lake", "de": "Schwanensee", "es": "El lago de los cisnes"},
     {"fr": "Ballet de Piotr Ilitch Tchaïkovski.", "en": "Ballet by Pyotr Ilyich Tchaikovsky."},
     (85, 65, 42, 20), [("2027-03-19", 20), ("2027-03-21", 15)]),
    ("don-giovanni", {"fr": "Don Giovanni", "en": "Don Giovanni", "de": "Don Giovanni", "es": "Don Giovanni"},
     {"fr": "Dramma giocoso de Wolfgang Amadeus Mozart.", "en": "Dramma giocoso by Wolfgang Amadeus Mozart."},
     (115, 88, 58, 29), [("2027-04-23", 20), ("2027-04-25", 15)]),
    ("concert-printemps", {"fr": "Concert de printemps", "en": "Spring concert", "de": "Frühlingskonzert", "es": "Concierto de primavera"},
     {"fr": "L'orchestre de l'Opéra joue Beethoven et Brahms.", "en": "The Opera orchestra plays Beethoven and Brahms."},
     (60, 45, 30, 15), [("2027-05-28", 20), ("2027-05-30", 17)]),
]


class Command(BaseCommand):
    help = "Load the demo season (Saison 2026-2027 of an opera house). Safe to run again."

    @transaction.atomic
    def handle(self, **options):
        channels = {code: SalesChannel.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in CHANNELS}
        for code, channel, name, fee, hold in POINTS_OF_SALE:
            PointOfSale.objects.get_or_create(code=code, defaults={"channel": channels[channel], "name": name, "order_fee": fee, "hold_minutes": hold})
        categories = []
        for sort, (code, color, name) in enumerate(CATEGORIES):
            categories.append(SeatCategory.objects.get_or_create(code=code, defaults={"name": name, "color": color, "sort": sort})[0])
        tariffs = []
        for sort, (code, name, share, on) in enumerate(TARIFFS):
            tariff, created = Tariff.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})
            if created:
                tariff.channels.set([channels[c] for c in on])
            tariffs.append((tariff, share))
        vip, created = Contingent.objects.get_or_create(code="production", defaults={"name": {"fr": "Production (réservé)", "en": "Production (held back)"}})
        if created:
            vip.channels.set([channels["boxoffice"]])

        venue, _ = Venue.objects.get_or_create(name={"fr": "Opéra de Valmont", "en": "Valmont Opera House"}, defaults={"address": "1 place de l'Opéra, 69000 Valmont"})
        hall, created = Hall.objects.get_or_create(venue=venue, name={"fr": "Grande salle", "en": "Main hall", "de": "Großer Saal", "es": "Sala principal"}, defaults={"stage_x": 500, "stage_y": 40})
        if created:
            import_seatmap(hall=hall, text=opera_seatmap_csv())
        for area, names in (("orchestre", {"fr": "Orchestre", "en": "Stalls", "de": "Parkett", "es": "Platea"}),
                            ("corbeille", {"fr": "Corbeille", "en": "Dress circle", "de": "Erster Rang", "es": "Palco"}),
                            ("balcon", {"fr": "Balcon", "en": "Balcony", "de": "Balkon", "es": "Anfiteatro"}),
                            ("paradis", {"fr": "Paradis (debout)", "en": "Gallery (standing)", "de": "Galerie (Stehplätze)", "es": "Paraíso (de pie)"})):
            hall.areas.filter(code=area).update(name=names)

        season, _ = Season.objects.get_or_create(name={"fr": "Saison 2026-2027", "en": "Season 2026-2027", "de": "Saison 2026-2027", "es": "Temporada 2026-2027"},
                                                 defaults={"starts_on": "2026-09-01", "ends_on": "2027-07-15"})
        sales_open = datetime(2026, 6, 1, 10, 0, tzinfo=PARIS)
        performances = 0
        for sort, (slug, name, description, full, dates) in enumerate(EVENTS):
            event, _ = Event.objects.get_or_create(slug=slug, defaults={"season": season, "name": name, "description": description, "sort": sort})
            for day, hour in dates:
                starts = datetime.combine(datetime.fromisoformat(day).date(), time(hour, 0), tzinfo=PARIS)
                perf, created = Performance.objects.get_or_create(
                    event=event, hall=hall, starts_at=starts,
                    defaults={"sales_open_at": sales_open, "sales_close_at": starts - timedelta(minutes=30)},
                )
                performances += 1
                if not created:
                    continue
                Price.objects.bulk_create(
                    Price(performance=perf, category=cat, tariff=tariff, amount=(Decimal(full[i]) * share).quantize(Decimal("1")))
                    for i, cat in enumerate(categories) for tariff, share in tariffs
                )
                create_inventory(performance=perf)
                PerformanceSeat.objects.filter(performance=perf, seat__area__code="orchestre", seat__row="A",
                                               seat__number__in=["15", "16", "17", "18"]).update(contingent=vip)

        if not User.objects.filter(email=STAFF[0]).exists():
            admin = User.objects.create_superuser(email=STAFF[0], password=STAFF[1])
            roles.assign_role(admin, roles.ADMINISTRATOR)
        if not User.objects.filter(email=OPERATOR[0]).exists():
            operator = User.objects.create_user(email=OPERATOR[0], password=OPERATOR[1])
            roles.assign_role(operator, roles.OPERATOR)
            for pos in PointOfSale.objects.filter(code__in=["guichet", "telephone"]):
                pos.operators.add(operator)
        if not User.objects.filter(email=CONTROLLER[0]).exists():
            roles.assign_role(User.objects.create_user(email=CONTROLLER[0], password=CONTROLLER[1]), roles.CONTROLLER)
        for gate in GATES:
            Gate.objects.get_or_create(venue=venue, name=gate)
        if not Contact.objects.filter(kind=Contact.ORGANISATION).exists():
            company = Contact.objects.create(kind=Contact.ORGANISATION, last_name="Comité d'entreprise Valmont Industries",
                                             email="ce@valmont-industries.example", phone="04 72 00 11 22")
            Contact.objects.create(first_name="Lucie", last_name="Bernard", email="lucie.bernard@valmont-industries.example",
                                   phone="06 12 34 56 78", organisation=company)
        if not User.objects.filter(email=SPECTATOR[0]).exists():
            user = User.objects.create_user(email=SPECTATOR[0], password=SPECTATOR[1])
            Contact.objects.create(user=user, email=user.email, first_name="Camille", last_name="Martin")
        _demo_subscription(season, channels)
        _demo_advantages(season)
        _demo_loyalty(season)
        sold = _demo_sales(hall)
        seats = PerformanceSeat.objects.filter(performance__hall=hall).count()
        self.stdout.write(f"demo ready: {len(EVENTS)} events, {performances} performances, {seats} seats in all, {sold} sold; "
                          f"administrator {STAFF[0]} / {STAFF[1]}, box-office operator {OPERATOR[0]} / {OPERATOR[1]}, "
                          f"controller {CONTROLLER[0]} / {CONTROLLER[1]}, spectator {SPECTATOR[0]} / {SPECTATOR[1]}")


def _demo_advantages(season) -> None:
    """A partner offer (code AMIS2026: 30 % off the full price at a "Partenaire" tariff, 200
    tickets) on the season's performances, and the seed's promo code COUPON3% (3 % off the cart)."""
    from django.utils import timezone

    from entracte.advantages.models import Advantage, AdvantagePrice, PromoCode

    if Advantage.objects.filter(code="amis-du-theatre").exists():
        return
    full = Tariff.objects.order_by("sort", "pk").first()
    partner, _created = Tariff.objects.get_or_create(code="partenaire", defaults={
        "name": {"fr": "Partenaire", "en": "Partner", "de": "Partner", "es": "Socio"}, "sort": 90})
    advantage = Advantage.objects.create(
        code="amis-du-theatre", season=season, state="active",
        name={"fr": "Offre Amis du théâtre", "en": "Friends of the theatre offer", "de": "Angebot Theaterfreunde",
              "es": "Oferta Amigos del teatro"},
        target=Advantage.PARTNER, access_code="AMIS2026", quota=200, max_per_order=4)
    performances = list(Performance.objects.filter(event__season=season, starts_at__gt=timezone.now()))
    advantage.performances.set(performances)
    for category_id, amount in {(p.category_id, p.amount) for p in Price.objects.filter(performance__in=performances, tariff=full)}:
        if not AdvantagePrice.objects.filter(advantage=advantage, category_id=category_id, tariff=partner).exists():
            AdvantagePrice.objects.create(advantage=advantage, category_id=category_id, tariff=partner,
                                          amount=(amount * Decimal("0.7")).quantize(Decimal("1")))
    PromoCode.objects.get_or_create(code="coupon-3", defaults={
        "name": {"fr": "Coupon 3%", "en": "Coupon 3%", "de": "Gutschein 3%", "es": "Cupón 3%"}, "access_code": "COUPON3%",
        "state": "active", "kind": PromoCode.PERCENT, "value": Decimal("3")})


def _demo_loyalty(season) -> None:
    """The indicator "Fidélité" (Occasionnel < Régulier < Assidu); the demo spectator is
    "Assidu", and "Assidu" contacts may take the season subscription 10 % below the
    subscriber price (an advantage of the subscriptions family)."""
    from entracte.advantages.models import Advantage, AdvantagePrice
    from entracte.customers.models import ContactIndicator, Indicator, IndicatorLevel
    from entracte.subscriptions.models import LinePrice, SubscriptionProduct

    if Advantage.objects.filter(code="abonnement-fidelite").exists():
        return
    indicator, _created = Indicator.objects.get_or_create(code="fidelite", defaults={
        "name": {"fr": "Fidélité", "en": "Loyalty", "de": "Treue", "es": "Fidelidad"}})
    names = [("occasionnel", {"fr": "Occasionnel", "en": "Occasional", "de": "Gelegentlich", "es": "Ocasional"}),
             ("regulier", {"fr": "Régulier", "en": "Regular", "de": "Regelmäßig", "es": "Habitual"}),
             ("assidu", {"fr": "Assidu", "en": "Devoted", "de": "Treu", "es": "Asiduo"})]
    levels = [IndicatorLevel.objects.get_or_create(indicator=indicator, code=code, defaults={"name": name, "rank": rank})[0]
              for rank, (code, name) in enumerate(names)]
    spectator = Contact.objects.filter(user__email=SPECTATOR[0]).first()
    if spectator is not None:
        ContactIndicator.objects.get_or_create(contact=spectator, indicator=indicator, defaults={"level": levels[2]})
    product = SubscriptionProduct.objects.filter(slug="abonnement-saison").first()
    if product is None:
        return
    loyal, _created = Tariff.objects.get_or_create(code="fidele", defaults={
        "name": {"fr": "Abonné fidèle", "en": "Loyal subscriber", "de": "Treuer Abonnent", "es": "Abonado fiel"}, "sort": 95})
    advantage = Advantage.objects.create(
        code="abonnement-fidelite", season=season, state="active", family=Advantage.SUBSCRIPTIONS,
        name={"fr": "Abonnement fidélité", "en": "Loyalty subscription", "de": "Treueabonnement", "es": "Abono fidelidad"},
        target=Advantage.INDICATOR, indicator_level=levels[2])
    advantage.subscription_products.set([product])
    lowest: dict[int, Decimal] = {}
    for category_id, amount in LinePrice.objects.filter(line__product=product, tariff__code="abonne").values_list(
            "category_id", "amount"):
        lowest[category_id] = min(amount, lowest.get(category_id, amount))
    AdvantagePrice.objects.bulk_create([
        AdvantagePrice(advantage=advantage, category_id=c, tariff=loyal, amount=(a * Decimal("0.9")).quantize(Decimal("1")))
        for c, a in sorted(lowest.items())])


def _demo_subscription(season, channels) -> None:
    """The season subscription of the seed: 4 to N performances of your choice at a subscriber
    price (80 % of the full price), up to 2 extra seats per performance at the full price."""
    from django.utils import timezone

    from entracte.subscriptions.models import LinePrice, SubscriptionLine, SubscriptionProduct

    if SubscriptionProduct.objects.filter(slug="abonnement-saison").exists():
        return
    full = Tariff.objects.order_by("sort", "pk").first()
    abonne = Tariff.objects.get(code="abonne")
    performances = list(Performance.objects.filter(event__season=season, starts_at__gt=timezone.now()).order_by("starts_at"))
    if not performances:
        return
    now = timezone.now()
    product = SubscriptionProduct.objects.create(
        season=season, slug="abonnement-saison", kind=SubscriptionProduct.CALCULATED,
        name={"fr": "Abonnement à la carte", "en": "Choose-your-own subscription", "de": "Wahlabonnement", "es": "Abono a la carta"},
        description={"fr": f"Entre 4 et {len(performances)} séances de votre choix, places côte à côte ; ajoutez des places pour vos invités.",
                     "en": f"Between 4 and {len(performances)} performances of your choice, seats side by side; add seats for your guests."},
        sales_open_at=now - timedelta(days=1), sales_close_at=min(p.sales_close_at for p in performances),
        min_performances=min(4, len(performances)), max_performances=len(performances), max_subscribers=10,
        extras_enabled=True, extras_max_total=8, extras_max_per_performance=2)
    product.subscriber_tariffs.set([abonne])
    product.extra_tariffs.set([full])  # extra seats: the occasional (full) price
    product.channels.set(list(channels.values()))
    for perf in performances:
        line = SubscriptionLine.objects.create(product=product, performance=perf)
        for price in Price.objects.filter(performance=perf, tariff=full):
            LinePrice.objects.create(line=line, category_id=price.category_id, tariff=abonne,
                                     amount=(price.amount * Decimal("0.8")).quantize(Decimal("1")))
            LinePrice.objects.create(line=line, category_id=price.category_id, tariff=full, amount=price.amount)


def _demo_sales(hall) -> int:
    """A few sales through the real services, so that the reports, the cash report, the
    reservations list and the contacts' pages show something: counter sales (cash, card
    terminal), a web sale to the demo spectator, one phone reservation. Only on the first run,
    only for performances on sale. Returns the number of tickets sold in all."""
    from entracte.customers.services import anonymous_contact
    from entracte.reservations.models import Reservation
    from entracte.reservations.services import default_deadline, reserve_cart
    from entracte.sales import carts, checkout, selectors
    from entracte.sales.models import Order, Ticket

    if Order.objects.exists() or Reservation.objects.exists():
        return Ticket.objects.filter(status="valid").count()
    now = datetime.now(tz=PARIS)
    performances = [p for p in Performance.objects.filter(hall=hall).order_by("starts_at")[:2] if p.on_sale(now)]
    if not performances:
        return 0
    operator = User.objects.get(email=OPERATOR[0])
    spectator = Contact.objects.get(user__email=SPECTATOR[0])
    lucie = Contact.objects.get(last_name="Bernard", first_name="Lucie")
    company = lucie.organisation
    anonymous = anonymous_contact()
    pos = {p.code: p for p in PointOfSale.objects.all()}
    tariff = {t.code: t.pk for t in Tariff.objects.all()}
    category = {c.code: c.pk for c in SeatCategory.objects.all()}

    def cart(where, perf, cat, n, tar):
        basket = carts.create_cart(point_of_sale=pos[where])
        carts.add_best_available(cart=basket, performance=perf, category_id=category[cat], quantity=n, tariff_id=tariff[tar])
        return basket

    def sell(basket, contact, tenders, actor=operator, email=""):
        checkout.place_order(cart=basket, buyer=checkout.Buyer(contact=contact, email=email), tenders=tenders,
                             delivery_mode="pickup", actor=actor)

    for perf in performances:
        sell(cart("guichet", perf, "cat1", 2, "plein"), lucie, [checkout.Tender("cash")])
        sell(cart("guichet", perf, "cat2", 3, "reduit"), anonymous, [checkout.Tender("card_terminal", None, {"reference": "TPE-0042"})])
        sell(cart("telephone", perf, "cat3", 2, "jeune"), lucie, [checkout.Tender("cheque", None, {"reference": "CHQ 118"})])
        checkout.place_order(cart=cart("web", perf, "cat2", 2, "plein"), buyer=checkout.Buyer(contact=spectator, email=""),
                             payment_data={"number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"})
    basket = cart("telephone", performances[0], "cat1", 4, "plein")
    reserve_cart(cart=basket, contact=company, deadline=default_deadline(selectors.cart_view(basket).items, now),
                 note="Sortie du comité d'entreprise", actor=operator)
    return Ticket.objects.filter(status="valid").count()
