from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "entracte.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self):
        from . import cache

        cache.connect_signals()
