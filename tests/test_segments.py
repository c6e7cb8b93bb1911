"""Contacts' indicators and target lists: set by staff, imported from CSV files; where
contacts and operators meet the advantages they open (personal space, box-office list)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entracte.core.errors import InvalidInput
from entracte.core.roles import ADMINISTRATOR, OPERATOR
from entracte.customers import imports
from entracte.customers.models import Contact, ContactIndicator, TargetList, User
from entracte.sales import selectors
from entracte.sales.models import Cart

from . import factories


@pytest.fixture
def people(db):
    ada = Contact.objects.create(email="ada@example.org", last_name="Lovelace")
    bob = Contact.objects.create(email="Bob@Example.org", last_name="Martin")
    twin1 = Contact.objects.create(email="twin@example.org", last_name="Un")
    twin2 = Contact.objects.create(email="twin@example.org", last_name="Deux")
    return ada, bob, twin1, twin2


def _levels(indicator):
    return dict(ContactIndicator.objects.filter(indicator=indicator).values_list("contact_id", "level__code"))


def test_an_indicator_file_sets_levels_by_number_or_email_and_says_what_changed(people):
    ada, bob, twin1, _twin2 = people
    ind, (occasionnel, _regulier, _assidu) = factories.indicator()
    ContactIndicator.objects.create(contact=ada, indicator=ind, level=occasionnel)
    data = (f"contact;email;niveau\n{ada.number};;regulier\n;bob@example.org;Assidu\n{twin1.pk};;occasionnel\n\n").encode()
    report = imports.import_indicator(indicator=ind, data=data)
    assert report.ok and (report.rows, report.changed, report.unchanged) == (3, 3, 0)
    assert _levels(ind) == {ada.pk: "regulier", bob.pk: "assidu", twin1.pk: "occasionnel"}
    again = imports.import_indicator(indicator=ind, data=data)
    assert (again.changed, again.unchanged) == (0, 3)


def test_a_wrong_line_changes_nothing_and_every_wrong_line_is_reported(people):
    _ada, _bob, _t1, _t2 = people
    ind, (_occasionnel, _r, _a) = factories.indicator()
    data = (b"email,level\nada@example.org,regulier\nnobody@example.org,regulier\ntwin@example.org,assidu\n"
            b"bob@example.org,champion\n")
    report = imports.import_indicator(indicator=ind, data=data)
    assert not report.ok and [line for line, _msg in report.errors] == [3, 4, 5]
    assert "nobody@example.org" in report.errors[0][1] and "twin@example.org" in report.errors[1][1]
    assert "champion" in report.errors[2][1]
    assert not ContactIndicator.objects.exists()
    with pytest.raises(InvalidInput):
        imports.import_indicator(indicator=ind, data=b"email\nada@example.org\n")  # no level column
    with pytest.raises(InvalidInput):
        imports.import_indicator(indicator=ind, data=b"")


def test_a_target_list_is_added_to_or_replaced_from_a_file(people):
    ada, bob, twin1, _twin2 = people
    campaign = TargetList.objects.create(code="abonnes-2025", name={"fr": "Abonnés 2025"})
    campaign.contacts.add(twin1)
    report = imports.import_target_list(target_list=campaign, data="\ufeffemail\nada@example.org\nBOB@example.org\n".encode())
    assert report.ok and report.changed == 2
    assert set(campaign.contacts.all()) == {ada, bob, twin1}
    report = imports.import_target_list(target_list=campaign, data=f"contact\n{ada.number}\n".encode("latin-1"), replace=True)
    assert report.ok and (report.changed, report.unchanged) == (2, 1)  # bob and twin1 leave, ada stays
    assert list(campaign.contacts.all()) == [ada]


def test_the_import_screen_is_for_administrators_and_lists_wrong_lines(client, people):
    ada, *_ = people
    ind, _ = factories.indicator()
    client.force_login(factories.staff_user(OPERATOR))
    assert client.get(reverse("boxoffice:imports")).status_code == 200
    upload = SimpleUploadedFile("f.csv", b"email;level\nada@example.org;regulier\n", content_type="text/csv")
    assert client.post(reverse("boxoffice:import_indicator"), {"indicator": ind.pk, "file": upload}).status_code == 403
    client.force_login(factories.staff_user(ADMINISTRATOR))
    bad = SimpleUploadedFile("f.csv", b"email;level\nnobody@example.org;regulier\n", content_type="text/csv")
    page = client.post(reverse("boxoffice:import_indicator"), {"indicator": ind.pk, "file": bad}).content.decode()
    assert 'id="import-errors"' in page and "nobody@example.org" in page and not ContactIndicator.objects.exists()
    good = SimpleUploadedFile("f.csv", b"email;level\nada@example.org;regulier\n", content_type="text/csv")
    client.post(reverse("boxoffice:import_indicator"), {"indicator": ind.pk, "file": good})
    assert ContactIndicator.objects.get().contact == ada
    campaign = TargetList.objects.create(code="c", name={"fr": "Campagne"})
    upload = SimpleUploadedFile("l.csv", b"email\nada@example.org\n", content_type="text/csv")
    client.post(reverse("boxoffice:import_target_list"), {"target_list": campaign.pk, "file": upload})
    assert list(campaign.contacts.all()) == [ada]


def test_staff_set_a_contacts_levels_and_lists_on_his_page(client, people):
    ada, *_ = people
    ind, (_o, regulier, _a) = factories.indicator()
    _other, (other_level, *_rest) = factories.indicator("anciennete", ("nouveau", "ancien"))
    campaign = TargetList.objects.create(code="c", name={"fr": "Campagne"})
    client.force_login(factories.staff_user(OPERATOR))
    url = reverse("boxoffice:contact_segments", args=[ada.pk])
    client.post(url, {f"indicator-{ind.pk}": regulier.pk, "target_lists": [campaign.pk]})
    assert ContactIndicator.objects.get(contact=ada).level == regulier and list(ada.target_lists.all()) == [campaign]
    refused = client.post(url, {f"indicator-{ind.pk}": other_level.pk}, follow=True).content.decode()  # another indicator's level
    assert ContactIndicator.objects.get(contact=ada).level == regulier and "niveau" in refused
    client.post(url, {f"indicator-{ind.pk}": ""})
    assert not ContactIndicator.objects.filter(contact=ada).exists() and not ada.target_lists.exists()
    page = client.get(reverse("boxoffice:contact", args=[ada.pk])).content.decode()
    assert 'id="segments"' in page and "Campagne" in page


def test_the_personal_space_lists_the_advantages_meant_for_the_spectator(client, perf):
    user = User.objects.create_user(email="fidele@example.org", password="pw-fidele-1234")
    contact = Contact.objects.create(user=user, email=user.email, last_name="Fidèle")
    ind, (_o, regulier, _a) = factories.indicator()
    mine = factories.advantage([perf], target="indicator", indicator_level=regulier)
    not_mine = factories.advantage([perf], target="indicator", indicator_level=_a)
    partner = factories.advantage([perf], target="partner", access_code="SECRET1")
    client.force_login(user)
    assert "Offre" not in client.get(reverse("shop:my_advantages")).content.decode()
    ContactIndicator.objects.create(contact=contact, indicator=ind, level=regulier)
    page = client.get(reverse("shop:my_advantages")).content.decode()
    assert f'id="adv-{mine.pk}"' in page and f'id="adv-{not_mine.pk}"' not in page and f'id="adv-{partner.pk}"' not in page
    assert reverse("shop:performance", args=[perf.pk]) in page and "20,00" in page


def test_the_box_office_lists_advantages_and_applies_one_to_the_sales_seats(client, perf):
    pos = factories.point_of_sale("guichet", "boxoffice")
    client.force_login(factories.staff_user(OPERATOR, points_of_sale=[pos]))
    ind, (_o, regulier, _a) = factories.indicator()
    contact = Contact.objects.create(email="fidele@example.org", last_name="Fidèle")
    ContactIndicator.objects.create(contact=contact, indicator=ind, level=regulier)
    fidelity = factories.advantage([perf], target="indicator", indicator_level=regulier, quota=10)
    web_only = factories.advantage([perf], on=("internet",))
    client.post(reverse("boxoffice:add_best", args=[perf.pk]), {"category": factories.category("a").pk,
                                                                 "tariff": factories.tariff("plein").pk, "quantity": 2})
    page = client.get(reverse("boxoffice:advantages")).content.decode()
    assert f'id="advantage-{fidelity.pk}"' in page and f'id="advantage-{web_only.pk}"' not in page
    assert "réservé" in page or "reserved" in page  # anonymous sale: not for him, with the reason
    apply = reverse("boxoffice:apply_advantage", args=[fidelity.pk])
    refused = client.post(apply, follow=True).content.decode()
    cart = Cart.objects.get()
    assert {i.price_source for i in selectors.cart_view(cart).items} == {"grid"} and "réservé" in refused
    client.post(reverse("boxoffice:attach_contact"), {"contact": contact.pk})
    assert '<td class="left">10</td>' in client.get(reverse("boxoffice:advantages")).content.decode()  # quota left
    client.post(apply)
    items = selectors.cart_view(cart).items
    assert [(i.price_source, i.price_ref, i.unit_price) for i in items] == [("advantage", fidelity.pk, Decimal("20.00"))] * 2
    assert 'href="/boxoffice/sale/advantages/"' in client.get(reverse("boxoffice:sale")).content.decode()


def test_a_file_of_twelve_thousand_contacts_is_imported(db):
    Contact.objects.bulk_create([Contact(email=f"c{i}@example.org", last_name=f"C{i}") for i in range(12_000)])
    campaign = TargetList.objects.create(code="grand", name={"fr": "Grande campagne"})
    data = ("email\n" + "\n".join(f"C{i}@example.org" for i in range(12_000))).encode()
    report = imports.import_target_list(target_list=campaign, data=data)
    assert report.ok and report.changed == 12_000 == campaign.contacts.count()
