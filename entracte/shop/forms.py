from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from entracte.sales.models import Order


class CheckoutForm(forms.Form):
    email = forms.EmailField(label=_("Email"), required=False, help_text=_("Your tickets are sent to this address."))
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    delivery_mode = forms.ChoiceField(label=_("Delivery"), choices=Order.DELIVERY_MODES, initial=Order.ETICKET, widget=forms.RadioSelect)
    use_balance = forms.BooleanField(label=_("Use my balance"), required=False)
    card_number = forms.CharField(label=_("Card number"), max_length=32, required=False, widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}))
    card_expiry = forms.CharField(label=_("Expiry (MM/YY)"), max_length=7, required=False, widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/YY"}))
    card_cvc = forms.CharField(label=_("Security code"), max_length=4, required=False, widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}))
    expected_total = forms.DecimalField(widget=forms.HiddenInput, required=False, decimal_places=2, max_digits=10)

    def __init__(self, *args, guest: bool, balance=None, total=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest, self.balance, self.total = guest, balance or 0, total or 0
        if not guest:
            for name in ("email", "first_name", "last_name"):
                del self.fields[name]
        if guest or self.balance <= 0:
            del self.fields["use_balance"]
        else:
            self.fields["use_balance"].help_text = _("Your balance: %(amount)s") % {"amount": self.balance}

    def clean(self):
        data = super().clean()
        if self.guest and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("An email address is required to buy without an account."))
        if self.card_part(data) > 0:
            for name in ("card_number", "card_expiry", "card_cvc"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("This field is required."))
        return data

    def balance_part(self, data):
        return min(self.balance, self.total) if data.get("use_balance") else 0

    def card_part(self, data):
        return self.total - self.balance_part(data)


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("fr", "Français"), ("en", "English"), ("de", "Deutsch"), ("es", "Español")])
