"""The demo season `make run` loads: it loads twice without harm, and its offers work."""

from __future__ import annotations

import io

from django.core.management import call_command

from entracte.advantages.models import Advantage, PromoCode
from entracte.subscriptions.models import SubscriptionProduct


def test_the_demo_loads_twice_and_its_offers_reach_the_demo_spectator(db, client):
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    assert Advantage.objects.filter(access_code="AMIS2026").count() == 1 and PromoCode.objects.filter(access_code="COUPON3%").exists()
    loyalty = Advantage.objects.get(code="abonnement-fidelite")
    product = SubscriptionProduct.objects.get(slug="abonnement-saison")
    assert client.login(email="spectateur@entracte.example", password="entracte-demo")
    assert f"?advantage={loyalty.pk}" in client.get(f"/subscriptions/{product.slug}/").content.decode()
    assert f'id="adv-{loyalty.pk}"' in client.get("/account/advantages/").content.decode()
    client.logout()
    assert f"?advantage={loyalty.pk}" not in client.get(f"/subscriptions/{product.slug}/").content.decode()
