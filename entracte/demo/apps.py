from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "entracte.demo"
    label = "demo"
