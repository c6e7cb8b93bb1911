from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from entracte.catalog.models import PointOfSale
from entracte.customers.models import Contact, User
from entracte.sales.checkout import Tender
from entracte.sales.models import Order

MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0"), "required": False}


class PaymentForm(forms.Form):
    """The amounts taken by each method; empty fields count as 0. Together they pay the total."""

    cash = forms.DecimalField(label=_("Cash"), **MONEY)
    card_terminal = forms.DecimalField(label=_("Card (terminal)"), **MONEY)
    card_terminal_reference = forms.CharField(label=_("Terminal slip number"), max_length=64, required=False)
    cheque = forms.DecimalField(label=_("Cheque"), **MONEY)
    cheque_reference = forms.CharField(label=_("Cheque number"), max_length=64, required=False)
    balance = forms.DecimalField(label=_("From the contact's balance"), **MONEY)
    delivery_mode = forms.ChoiceField(label=_("Delivery"), choices=Order.DELIVERY_MODES, initial=Order.PICKUP)
    send_email = forms.BooleanField(label=_("Email the tickets to the contact"), required=False)
    expected_total = forms.DecimalField(widget=forms.HiddenInput, required=False, decimal_places=2, max_digits=10)

    METHODS = ("cash", "card_terminal", "cheque", "balance")

    def tenders(self) -> list[Tender]:
        """The amounts entered, as tenders; all empty means the whole amount in cash."""
        data = self.cleaned_data
        tenders = [Tender(method, data[method], {"reference": data.get(f"{method}_reference", "")})
                   for method in self.METHODS if data.get(method)]
        return tenders or [Tender("cash")]


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Contact.KINDS[:2], initial=Contact.INDIVIDUAL,
                             widget=forms.RadioSelect)
    last_name = forms.CharField(label=_("Last name, or the organisation's name"), max_length=100)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    organisation = forms.ModelChoiceField(label=_("Member of the organisation"), required=False,
                                          queryset=Contact.objects.filter(kind=Contact.ORGANISATION).order_by("last_name"))


class CancelForm(forms.Form):
    tickets = forms.TypedMultipleChoiceField(label=_("Tickets to cancel"), coerce=int, widget=forms.CheckboxSelectMultiple)
    refund_to = forms.ChoiceField(label=_("Refund"), initial="original", choices=[
        ("original", _("by the original payment methods")), ("balance", _("to the contact's balance")),
        ("none", _("no refund"))])
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, tickets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(t.pk, str(t.pk)) for t in tickets]


class CreditForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount to credit"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    note = forms.CharField(label=_("Reason"), max_length=200)


class CashReportForm(forms.Form):
    """The period and, optionally, the operator and point of sale of an end-of-day cash report."""

    MAX_DAYS = 366

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (included)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    operator = forms.ModelChoiceField(label=_("Operator"), required=False, empty_label=_("All operators"),
                                      queryset=User.objects.filter(is_staff=True).order_by("email"))
    point_of_sale = forms.ModelChoiceField(label=_("Point of sale"), required=False, empty_label=_("All points of sale"),
                                           queryset=PointOfSale.objects.order_by("pk"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the period is before its start."))
            elif (end - start).days >= self.MAX_DAYS:
                self.add_error("end", _("A report covers at most %(days)s days.") % {"days": self.MAX_DAYS})
        return data


class ReserveForm(forms.Form):
    deadline = forms.DateTimeField(label=_("Keep the seats until"), input_formats=["%Y-%m-%dT%H:%M"],
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReservationCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
