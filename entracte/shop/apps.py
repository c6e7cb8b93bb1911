from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "entracte.shop"
    label = "shop"
