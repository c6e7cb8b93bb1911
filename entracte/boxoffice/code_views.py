"""Single-use codes in the back office: generate and send a batch (a background task, with
its progress), the dashboard per requesting contact and advantage, and the tracking screen
where staff see each code's use and invalidate codes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from entracte.advantages import batches, selectors, services
from entracte.advantages.models import Advantage, CodeBatch, SingleUseCode
from entracte.catalog.models import Season
from entracte.core.errors import DomainError
from entracte.customers.models import Contact

from .permissions import staff_required

manages_codes = staff_required("advantages.add_codebatch")
views_codes = staff_required("advantages.view_singleusecode")


class BatchForm(forms.Form):
    requester = forms.IntegerField(label=gettext_lazy("Requesting contact (number)"), min_value=1, max_value=2**31 - 1,
                                   help_text=gettext_lazy("The contact number, e.g. 42 for C000042."))
    advantage = forms.ModelChoiceField(label=gettext_lazy("Advantage"), queryset=Advantage.objects.filter(target=Advantage.SINGLE_USE))
    count = forms.IntegerField(label=gettext_lazy("Number of codes"), min_value=1, max_value=batches.MAX_BATCH)
    document = forms.ChoiceField(label=gettext_lazy("Document type"), choices=CodeBatch.DOCUMENTS)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=[("fr", "Français"), ("en", "English"),
                                                                         ("de", "Deutsch"), ("es", "Español")])
    note = forms.CharField(label=gettext_lazy("Remark"), required=False, max_length=200)

    def clean_requester(self):
        contact = Contact.objects.filter(pk=self.cleaned_data["requester"]).exclude(kind=Contact.ANONYMOUS).first()
        if contact is None:
            raise forms.ValidationError(_("No contact has this number."))
        return contact


@manages_codes
def generate(request):
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = batches.request_batch(advantage=data["advantage"], requester=data["requester"], count=data["count"],
                                          document=data["document"], language=data["language"], note=data["note"],
                                          actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Batch %(n)s queued: %(count)s codes.") % {"n": batch.pk, "count": batch.count})
            return redirect("boxoffice:codes")
    recent = list(selectors.batches()[:30])
    running = any(b.state in (CodeBatch.PENDING, CodeBatch.RUNNING) for b in recent)
    return render(request, "boxoffice/codes/generate.html", {"form": form, "batches": recent, "refresh": running})


@views_codes
def download(request, pk):
    batch = get_object_or_404(CodeBatch, pk=pk)
    filename, content, mime = batches.codes_document(batch)
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@views_codes
def dashboard(request):
    seasons = Season.objects.order_by("-starts_on")
    season = seasons.filter(pk=request.GET.get("season") or 0).first() if request.GET.get("season", "").isdigit() else None
    by_requester = request.GET.get("detail", "1") != "0"
    rows, totals = selectors.dashboard(season=season, by_requester=by_requester)
    return render(request, "boxoffice/codes/dashboard.html", {"rows": rows, "totals": totals, "seasons": seasons,
                                                              "season": season, "by_requester": by_requester})


@views_codes
def tracking(request):
    state = request.GET.get("state", "")
    batch = request.GET.get("batch", "")
    codes = selectors.codes_tracked(state=state, batch=int(batch) if batch.isdigit() and len(batch) < 10 else None,
                                    code=request.GET.get("code", ""))
    return render(request, "boxoffice/codes/tracking.html", {
        "codes": codes[:200], "count": codes.count(), "state": state, "states": SingleUseCode.STATES,
        "batch": request.GET.get("batch", ""), "code": request.GET.get("code", "")})


@staff_required("advantages.change_singleusecode")
@require_POST
def invalidate(request):
    ids = [int(v) for v in request.POST.getlist("codes") if v.isdigit()]
    if not ids:
        messages.error(request, _("Select the codes to invalidate."))
    else:
        n = services.invalidate(code_ids=ids, actor=request.user)
        messages.success(request, _("%(n)s code(s) invalidated (used codes stay used).") % {"n": n})
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/boxoffice/codes/") else "boxoffice:code_tracking")
