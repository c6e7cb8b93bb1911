from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "entracte.access"
    label = "access"
    verbose_name = _("Access control")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from entracte.catalog import cache

        from .models import Gate

        post_save.connect(cache.clear, sender=Gate, dispatch_uid="catalog-cache-save-gate")
        post_delete.connect(cache.clear, sender=Gate, dispatch_uid="catalog-cache-delete-gate")
