"""Translatable catalogue texts: one JSON column holding {language code: text}.

`tr(value)` returns the text in the active language, falling back to the default
language and then to any text present. The admin edits one input per language.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import get_language


def tr(value: dict | str | None, language: str | None = None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        return value
    lang = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    return value.get(lang) or value.get(settings.LANGUAGE_CODE) or next(iter(value.values()), "")


def _languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class TranslatedWidget(forms.MultiWidget):
    def __init__(self, attrs=None):
        widgets = {code: forms.TextInput(attrs={"placeholder": code.upper()}) for code, _ in _languages()}
        super().__init__(widgets, attrs)

    def decompress(self, value):
        value = value or {}
        if isinstance(value, str):
            return [value] + [""] * (len(_languages()) - 1)
        return [value.get(code, "") for code, _ in _languages()]


class TranslatedFormField(forms.MultiValueField):
    widget = TranslatedWidget

    def __init__(self, *, required=True, **kwargs):
        kwargs.pop("max_length", None)
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        fields = [forms.CharField(required=False) for _ in _languages()]
        super().__init__(fields, require_all_fields=False, required=required, **kwargs)

    def compress(self, data_list):
        data = {code: text.strip() for (code, _), text in zip(_languages(), data_list or []) if text and text.strip()}
        if self.required and settings.LANGUAGE_CODE not in data:
            raise forms.ValidationError(
                forms.Field.default_error_messages["required"], code="required"
            )
        return data


class TranslatedField(models.JSONField):
    """A JSON object of language code → text, edited as one input per language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return TranslatedFormField(required=not self.blank, label=self.verbose_name.capitalize(), help_text=self.help_text)
