"""The personal space: sign-up with email verification, tickets, orders, profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from entracte.core.errors import DomainError
from entracte.customers import services
from entracte.reservations import selectors as reservations
from entracte.sales import balance
from entracte.sales import selectors as sales
from entracte.subscriptions import selectors as subscriptions

from .forms import ProfileForm, SignupForm


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_account(email=data["email"], password=data["password"], first_name=data["first_name"],
                                             last_name=data["last_name"], language=get_language()[:2])
        except DomainError as exc:
            form.add_error("email", exc.message)
        else:
            services.send_verification_email(user=user)
            return render(request, "shop/account/signup_sent.html", {"email": user.email})
    return render(request, "shop/account/signup.html", {"form": form})


def verify(request, uidb64, token):
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "shop/account/verify_failed.html", status=400)
    services.verify_account(user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your email address is confirmed. Welcome!"))
    return redirect("shop:account")


@login_required
def dashboard(request):
    contact = services.contact_for_user(request.user)
    now = timezone.now()
    tickets = list(sales.tickets_of_contact(contact).filter(status="valid", performance__starts_at__gt=now))
    orders = list(sales.orders_of_contact(contact))
    currency = settings.ENTRACTE_CURRENCY
    return render(request, "shop/account/dashboard.html", {
        "contact": contact, "tickets": tickets, "orders": orders, "currency": currency,
        "balance": balance.balance_of(contact, currency), "entries": contact.balance_entries.select_related("order")[:20],
        "reservations": reservations.pending_of_contact(contact),
        "subscriptions": subscriptions.subscriptions_of_contact(contact)})


@login_required
def my_advantages(request):
    """The offers meant for this spectator (general public, his indicator levels, his target
    lists), with where to use them."""
    from .advantages import personal_list

    contact = services.contact_for_user(request.user)
    return render(request, "shop/account/advantages.html", {"contact": contact, "rows": personal_list(contact)})


@login_required
def profile(request):
    contact = services.contact_for_user(request.user)
    form = ProfileForm(request.POST or None, initial={"first_name": contact.first_name, "last_name": contact.last_name,
                                                      "phone": contact.phone, "language": contact.language})
    if request.method == "POST" and form.is_valid():
        services.update_profile(contact=contact, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("shop:profile")
    return render(request, "shop/account/profile.html", {"form": form, "contact": contact})
