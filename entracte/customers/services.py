"""Contact and account operations."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from entracte.core import audit
from entracte.core.errors import DomainError, InvalidInput
from entracte.core.locking import advisory_lock
from entracte.core.rawsql import fetch, insert

from .models import ApiToken, Contact, User


class EmailTaken(InvalidInput):
    code = "email_taken"
    default_message = _("An account already exists with this email address.")


class BadCredentials(DomainError):
    code = "bad_credentials"
    status = 401
    default_message = _("Email or password is incorrect.")


def contact_for_user(user: User) -> Contact:
    contact = getattr(user, "contact", None)
    if contact is None:
        contact = Contact.objects.create(user=user, email=user.email)
    return contact


def spectator_contact(user) -> Contact | None:
    """The contact of a logged-in spectator (session or API token); None for visitors and staff."""
    return contact_for_user(user) if getattr(user, "is_authenticated", False) and not user.is_staff else None


# The guest contact of an email (normalised: guest_email()), as a scalar subquery; parameter: the email.
GUEST_CONTACT_SQL = "SELECT id FROM customers_contact WHERE email = %s AND user_id IS NULL ORDER BY id LIMIT 1"


def guest_email(email: str) -> str:
    return email.strip().lower()


def guest_contact(*, email: str, first_name: str = "", last_name: str = "", language: str = "fr",
                  found: tuple[int | None] | None = None, save: bool = True) -> Contact:
    """A contact for someone buying without an account. Never attached to an account's contact,
    so that typing someone else's email grants no access to their orders. `found`: the result of
    GUEST_CONTACT_SQL for this email, (id or None,), if the caller read it with something else.
    `save=False`: a contact the email has not got yet comes back unsaved (no primary key), to be
    written with the order that needs it (save_guest(), or sales/writes.py's one statement), so
    that a sale that does not happen leaves no contact behind."""
    email = guest_email(email)
    # Hand-written read: it runs on every guest checkout (docs/performance.md). Other fields load on access.
    if found is None:
        rows = fetch(GUEST_CONTACT_SQL, [email], prepare=True)
        found = (rows[0][0] if rows else None,)
    if found[0] is not None:
        return Contact.from_db("default", ["id", "email"], (found[0], email))
    contact = Contact(email=email, first_name=first_name, last_name=last_name, language=language)
    if save:
        with transaction.atomic():
            save_guest(contact)
    return contact


def lock_guest_email(email: str) -> None:
    """Two first orders under one email at once must not make two contacts: the second waits
    for the first (a lock on the email, until its transaction ends) and then finds its contact."""
    advisory_lock("guest-contact", email)


def save_guest(contact: Contact) -> Contact:
    """Write an unsaved guest contact (guest_contact(save=False)), inside the caller's transaction;
    if another first order under the email made one meanwhile, `contact` becomes that one."""
    lock_guest_email(contact.email)
    rows = fetch(GUEST_CONTACT_SQL, [contact.email], prepare=True)
    if rows:
        contact.pk = rows[0][0]
        contact._state.adding, contact._state.db = False, "default"
        return contact
    # The lean insert (core/rawsql.py): the ORM's compiler cost more than the insert itself.
    return insert([contact])[0]


@transaction.atomic
def register_account(*, email: str, password: str, first_name: str = "", last_name: str = "", language: str = "fr") -> User:
    """Create an inactive account; it becomes active when the email is verified."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise EmailTaken()
    user = User.objects.create_user(email=email, password=password, is_active=False)
    Contact.objects.create(user=user, email=email, first_name=first_name, last_name=last_name, language=language)
    return user


def send_verification_email(*, user: User) -> None:
    """The link that activates an account. Sent after the account's transaction committed."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode
    from django.utils.translation import gettext

    link = settings.SITE_URL + reverse(
        "shop:verify", args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)]
    )
    body = render_to_string("shop/account/verify_email.txt", {"link": link, "user": user})
    send_mail(gettext("Confirm your email address"), body, settings.DEFAULT_FROM_EMAIL, [user.email])


def verify_account(*, user: User) -> None:
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])


PROFILE_FIELDS = ("first_name", "last_name", "phone", "language")


def update_profile(*, contact: Contact, **fields) -> Contact:
    changed = [name for name in PROFILE_FIELDS if name in fields]
    for name in changed:
        setattr(contact, name, fields[name])
    contact.save(update_fields=changed)
    return contact


def issue_api_token(*, email: str, password: str) -> str:
    user = authenticate(username=email.strip().lower(), password=password)
    if user is None:
        raise BadCredentials()
    return ApiToken.issue(user=user, name="api")


def search_contacts(query: str, *, limit: int = 20):
    """Contacts whose name, email, phone or contact number matches, for the box office."""
    import re

    from django.db.models import F, Q, Value
    from django.db.models.functions import Replace

    query = query.strip()
    match = re.fullmatch(r"[cC]?0*(\d+)", query)
    if len(query) < 2 and not match:
        return Contact.objects.none()
    found = Q(email__icontains=query) | Q(last_name__icontains=query) | Q(first_name__icontains=query)
    words = query.split()
    if len(words) == 2:  # "Camille Martin" or "Martin Camille"
        found |= (Q(first_name__icontains=words[0]) & Q(last_name__icontains=words[1])) | \
                 (Q(first_name__icontains=words[1]) & Q(last_name__icontains=words[0]))
    contacts = Contact.objects.all()
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 4:  # phones are typed with spaces, dots or dashes; compare the digits
        bare = F("phone")
        for sep in (" ", ".", "-", "+"):
            bare = Replace(bare, Value(sep), Value(""))
        contacts = contacts.annotate(phone_digits=bare)
        found |= Q(phone_digits__contains=digits)
    if match:
        found |= Q(pk=int(match.group(1)))
    return (contacts.filter(found).exclude(kind=Contact.ANONYMOUS).select_related("organisation")
            .order_by("last_name", "first_name", "pk")[:limit])


def create_contact(*, kind: str, last_name: str, first_name: str = "", email: str = "", phone: str = "",
                   organisation: Contact | None = None, language: str = "fr", actor=None) -> Contact:
    """A contact created by staff: an individual (optionally a member of an organisation) or an organisation."""
    if kind not in (Contact.INDIVIDUAL, Contact.ORGANISATION):
        raise InvalidInput(_("Choose an individual or an organisation."))
    if not last_name.strip():
        raise InvalidInput(_("A name is required."))
    if organisation is not None and (kind != Contact.INDIVIDUAL or organisation.kind != Contact.ORGANISATION):
        raise InvalidInput(_("Only a person can belong to an organisation."))
    with transaction.atomic():
        contact = Contact.objects.create(kind=kind, last_name=last_name.strip(), first_name=first_name.strip(),
                                         email=email.strip().lower(), phone=phone.strip(), organisation=organisation,
                                         language=language)
        audit.record(action="contact.created", obj=contact, actor=actor, data={"kind": kind})
    return contact


def anonymous_contact() -> Contact:
    """The one contact that anonymous counter sales are recorded against."""
    contact = Contact.objects.filter(kind=Contact.ANONYMOUS).order_by("pk").first()
    if contact is None:
        contact = Contact.objects.create(kind=Contact.ANONYMOUS, last_name="—", email="")
    return contact


def set_segments(*, contact: Contact, levels: dict, target_lists: set[int], actor=None) -> None:
    """What staff set by hand on a contact: his level for each indicator (None: no level) and
    the target lists he is on. Levels must belong to their indicator."""
    from .models import ContactIndicator, Indicator, IndicatorLevel, TargetList

    if contact.kind == Contact.ANONYMOUS:
        raise InvalidInput(_("The anonymous contact has no indicators."))
    chosen = {pk: lv for pk, lv in levels.items() if lv is not None}
    found = {lv.pk: lv for lv in IndicatorLevel.objects.filter(pk__in=chosen.values())}
    if any(found.get(lv) is None or found[lv].indicator_id != ind for ind, lv in chosen.items()):
        raise InvalidInput(_("Choose a level of each indicator."))
    lists = set(TargetList.objects.filter(pk__in=target_lists).values_list("pk", flat=True))
    if lists != set(target_lists):
        raise InvalidInput(_("This target list does not exist."))
    with transaction.atomic():
        # The indicators' and lists' rows serialise this with an import of the same ones.
        list(Indicator.objects.select_for_update().filter(pk__in=sorted(levels)).order_by("pk"))
        touched = lists | set(contact.target_lists.values_list("pk", flat=True))
        list(TargetList.objects.select_for_update().filter(pk__in=sorted(touched)).order_by("pk"))
        ContactIndicator.objects.filter(contact=contact, indicator_id__in=list(levels)).delete()
        ContactIndicator.objects.bulk_create([ContactIndicator(contact=contact, indicator_id=ind, level_id=lv)
                                              for ind, lv in sorted(chosen.items())])
        contact.target_lists.set(lists)
        audit.record(action="customers.segments_set", obj=contact, actor=actor,
                     data={"levels": {str(k): v for k, v in chosen.items()}, "target_lists": sorted(lists)})
