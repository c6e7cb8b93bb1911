from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "entracte.api"
    label = "api"
