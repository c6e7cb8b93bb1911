from django.apps import AppConfig, apps
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, using="default", **kwargs):
    # post_migrate is sent once per app with models; every app's permissions exist after the last one.
    if sender is [a for a in apps.get_app_configs() if a.models_module is not None][-1]:
        from .roles import sync_roles

        sync_roles(using=using)


class CoreConfig(AppConfig):
    name = "entracte.core"
    label = "core"

    def ready(self):
        from .pgtypes import use_compiled_timestamps

        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="entracte-sync-roles")
        connection_created.connect(use_compiled_timestamps, dispatch_uid="entracte-compiled-timestamps")
