from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvantagesConfig(AppConfig):
    name = "entracte.advantages"
    label = "advantages"
    verbose_name = _("Advantages and codes")

    def ready(self):
        from . import checkout  # noqa: F401  registers the advantage and promo checks with sales
