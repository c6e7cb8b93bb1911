"""The shop's answer to a form refused by the CSRF check (settings.CSRF_FAILURE_VIEW): the
error page in the visitor's language, saying what to do, instead of Django's page in English."""

from django.http import HttpResponseForbidden
from django.template import loader
from django.utils.translation import gettext as _


def csrf_failure(request, reason: str = ""):
    message = _("This form has expired or your browser refused its cookie. Reload the page, allow cookies "
                "for this site, and try again.")
    return HttpResponseForbidden(loader.render_to_string("403.html", {"message": message}, request))
