from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from entracte.sales.models import Order


class CheckoutForm(forms.Form):
    email = forms.EmailField(label=_("Email"), required=False, help_text=_("Your tickets are sent to this address."))
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    delivery_mode = forms.ChoiceField(label=_("Delivery"), choices=Order.DELIVERY_MODES, initial=Order.ETICKET, widget=forms.RadioSelect)
    card_number = forms.CharField(label=_("Card number"), max_length=32, widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}))
    card_expiry = forms.CharField(label=_("Expiry (MM/YY)"), max_length=7, widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/YY"}))
    card_cvc = forms.CharField(label=_("Security code"), max_length=4, widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}))
    expected_total = forms.DecimalField(widget=forms.HiddenInput, required=False, decimal_places=2, max_digits=10)

    def __init__(self, *args, guest: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest
        if not guest:
            for name in ("email", "first_name", "last_name"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.guest and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("An email address is required to buy without an account."))
        return data


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
