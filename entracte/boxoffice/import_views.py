"""Imports of contacts' indicator levels and of target lists (customers/imports.py): the
file is checked whole first; a wrong line changes nothing and the page lists every wrong line."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entracte.core.errors import DomainError
from entracte.customers import imports
from entracte.customers.models import Indicator, TargetList

from .permissions import staff_required


class IndicatorImportForm(forms.Form):
    indicator = forms.ModelChoiceField(label=gettext_lazy("Indicator"), queryset=Indicator.objects.all())
    file = forms.FileField(label=gettext_lazy("CSV file"), help_text=gettext_lazy(
        "Columns “contact” (number) or “email”, and “level” (the level's code or name)."))


class TargetListImportForm(forms.Form):
    target_list = forms.ModelChoiceField(label=gettext_lazy("Target list"), queryset=TargetList.objects.all())
    file = forms.FileField(label=gettext_lazy("CSV file"), help_text=gettext_lazy(
        "One contact per line: column “contact” (number) or “email”."))
    replace = forms.BooleanField(label=gettext_lazy("Replace the list (contacts not in the file leave it)"), required=False)


def _run(request, form, call):
    if not form.is_valid():
        return None
    try:
        report = call(form.cleaned_data, form.cleaned_data["file"].read())
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    if report.ok:
        messages.success(request, _("Import done: %(rows)s line(s), %(changed)s change(s), %(unchanged)s already so.") % {
            "rows": report.rows, "changed": report.changed, "unchanged": report.unchanged})
    else:
        messages.error(request, _("Nothing was imported: %(n)s line(s) are wrong. Correct the file and import it again.") % {
            "n": len(report.errors)})
    return report


def _page(request, *, indicator_form=None, list_form=None, report=None):
    return render(request, "boxoffice/imports.html", {
        "indicator_form": indicator_form or IndicatorImportForm(), "list_form": list_form or TargetListImportForm(),
        "report": report, "errors": report.errors[:200] if report else [],
        "can_indicators": request.user.has_perm("customers.change_contactindicator"),
        "can_lists": request.user.has_perm("customers.change_targetlist")})


@staff_required("customers.view_contact")
def imports_page(request):
    return _page(request)


@staff_required("customers.change_contactindicator")
def import_indicator(request):
    form = IndicatorImportForm(request.POST or None, request.FILES or None)
    report = _run(request, form, lambda d, data: imports.import_indicator(indicator=d["indicator"], data=data,
                                                                          actor=request.user)) if request.method == "POST" else None
    return _page(request, indicator_form=form, report=report)


@staff_required("customers.change_targetlist")
def import_target_list(request):
    form = TargetListImportForm(request.POST or None, request.FILES or None)
    report = _run(request, form, lambda d, data: imports.import_target_list(
        target_list=d["target_list"], data=data, replace=d["replace"], actor=request.user)) if request.method == "POST" else None
    return _page(request, list_form=form, report=report)
