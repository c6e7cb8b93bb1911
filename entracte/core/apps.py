from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "entracte.core"
    label = "core"
