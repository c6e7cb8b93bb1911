from django import template
from django.utils.formats import number_format

from entracte.core.translated import tr as translate

register = template.Library()


@register.filter
def tr(value):
    return translate(value)


@register.filter
def money(amount, currency="EUR"):
    if amount is None:
        return ""
    symbol = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}.get(currency, currency)
    return f"{number_format(amount, 2)} {symbol}"


@register.filter
def get(mapping, key):
    return mapping.get(key, ()) if mapping else ()
