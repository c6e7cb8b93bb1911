"""The role matrix: each role against each staff page and staff API endpoint."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from entracte.core import roles
from entracte.customers.models import ApiToken, Contact, User
from entracte.sales.models import Order

from . import factories

pytestmark = pytest.mark.django_db

ANONYMOUS, SPECTATOR = "anonymous", "spectator"
WHO = [ANONYMOUS, SPECTATOR, roles.CONTROLLER, roles.OPERATOR, roles.ADMINISTRATOR]


@pytest.fixture
def people(db):
    counter = factories.point_of_sale("guichet", "boxoffice")
    users = {
        SPECTATOR: User.objects.create_user(email="fan@example.org", password="pw-fan-12345"),
        roles.CONTROLLER: factories.staff_user(roles.CONTROLLER),
        roles.OPERATOR: factories.staff_user(roles.OPERATOR, points_of_sale=[counter]),
        roles.ADMINISTRATOR: factories.staff_user(roles.ADMINISTRATOR),
    }
    users[roles.ADMINISTRATOR].is_superuser = True
    users[roles.ADMINISTRATOR].save()
    return users


def _order():
    contact = Contact.objects.create(email="c@example.org", last_name="C")
    pos = factories.point_of_sale("guichet", "boxoffice")
    return Order.objects.create(contact=contact, email=contact.email, point_of_sale=pos, currency="EUR",
                                subtotal=0, order_fee=0, total=0)


def _pages(perf):
    order = _order()
    product = factories.subscription_product([perf])
    return {
        reverse("boxoffice:subscription", args=[product.slug]): {roles.OPERATOR, roles.ADMINISTRATOR},
        # page: the roles that reach it
        reverse("boxoffice:home"): {roles.OPERATOR, roles.ADMINISTRATOR},
        reverse("boxoffice:performance", args=[perf.pk]): {roles.OPERATOR, roles.ADMINISTRATOR},
        reverse("boxoffice:sale"): {roles.OPERATOR, roles.ADMINISTRATOR},
        reverse("boxoffice:contacts"): {roles.OPERATOR, roles.ADMINISTRATOR},
        reverse("boxoffice:contact_new"): {roles.OPERATOR, roles.ADMINISTRATOR},
        reverse("boxoffice:contact", args=[order.contact_id]): {roles.OPERATOR, roles.ADMINISTRATOR},
        reverse("boxoffice:order", args=[order.number]): {roles.OPERATOR, roles.ADMINISTRATOR},
        reverse("boxoffice:reports"): {roles.ADMINISTRATOR},
        reverse("boxoffice:report_performance", args=[perf.pk]): {roles.ADMINISTRATOR},
        reverse("boxoffice:report_cash"): {roles.ADMINISTRATOR},
        reverse("admin:catalog_tariff_add"): {roles.ADMINISTRATOR},
        reverse("admin:catalog_performance_add"): {roles.ADMINISTRATOR},
    }


@pytest.mark.parametrize("who", WHO)
def test_staff_pages_by_role(client, perf, people, who):
    if who != ANONYMOUS:
        client.force_login(people[who])
    for url, allowed in _pages(perf).items():
        status = client.get(url).status_code
        if who in allowed:
            assert status == 200, (who, url, status)
        elif who == ANONYMOUS or (url.startswith("/admin/") and not people[who].is_staff):
            assert status == 302, (who, url, status)  # to a login page
        else:
            assert status == 403, (who, url, status)


@pytest.mark.parametrize("who", WHO)
def test_staff_api_by_role(client, perf, people, who):
    headers = {}
    if who != ANONYMOUS:
        headers["authorization"] = f"Bearer {ApiToken.issue(user=people[who], name='t')}"
    sales = client.get(f"/api/staff/performances/{perf.pk}/sales", headers=headers).status_code
    cart = client.post("/api/carts", {"point_of_sale": "guichet"}, content_type="application/json", headers=headers).status_code
    expected_sales = 200 if who == roles.ADMINISTRATOR else (401 if who in (ANONYMOUS, SPECTATOR) else 403)
    assert sales == expected_sales, who
    assert cart == (201 if who in (roles.OPERATOR, roles.ADMINISTRATOR) else 403), who


def test_operator_cannot_change_the_catalogue(client, perf, people):
    client.force_login(people[roles.OPERATOR])
    url = reverse("admin:catalog_performance_change", args=[perf.pk])
    assert client.post(url, {"sales_close_at_0": "2020-01-01"}).status_code == 403


def test_roles_are_created_by_migrate_and_resynced():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(roles.GROUP_NAMES.values()) <= names
    operator = Group.objects.get(name=roles.GROUP_NAMES[roles.OPERATOR])
    operator.permissions.clear()
    roles.sync_roles()
    assert operator.permissions.filter(codename="sell").exists()
    assert not operator.permissions.filter(content_type__app_label="catalog", codename__startswith="change_").exists()


@pytest.mark.parametrize("who", [ANONYMOUS, SPECTATOR, roles.CONTROLLER])
def test_no_box_office_or_access_action_answers_to_someone_without_the_role(client, perf, people, who):
    """Every box-office route (GET and POST) refuses them, whatever the arguments."""
    from entracte.access import urls as access_urls
    from entracte.boxoffice import urls as boxoffice_urls

    if who != ANONYMOUS:
        client.force_login(people[who])
    order = _order()
    args = {"pk": order.contact_id, "item_id": 1, "code_id": 1, "number": order.number, "slug": "any-subscription"}
    patterns = [("boxoffice", p) for p in boxoffice_urls.urlpatterns if p.name != "login"]
    if who != roles.CONTROLLER:
        patterns += [("access", p) for p in access_urls.urlpatterns]
    for namespace, pattern in patterns:
        url = reverse(f"{namespace}:{pattern.name}", kwargs={k: args[k] for k in pattern.pattern.converters})
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 403, 405), (who, url, method.__name__, response.status_code)
            if response.status_code == 302:
                assert "/login/" in response["Location"], (who, url, method.__name__, response["Location"])


def test_the_one_statement_permission_check_agrees_with_django(people):
    from django.contrib.auth.models import Permission

    from entracte.core.roles import has_permission

    direct = User.objects.create_user(email="direct@staff.example", password="pw-staff-123", is_staff=True)
    direct.user_permissions.add(Permission.objects.get(codename="view_reports"))
    inactive = factories.staff_user(roles.ADMINISTRATOR)
    inactive.is_active = False
    inactive.save()
    everyone = [*people.values(), direct, inactive, User.objects.create_superuser(email="root@x.example", password="pw-root-123")]
    perms = ["sales.sell", "sales.refund", "sales.view_reports", "access.scan", "catalog.change_performance", "nosuch.perm"]
    for user in everyone:
        fresh = User.objects.get(pk=user.pk)  # Django caches permissions on the instance
        for perm in perms:
            assert has_permission(fresh, perm) == fresh.has_perm(perm), (user.email, perm)
    assert has_permission(direct, "sales.view_reports") and not has_permission(direct, "sales.sell")


def test_a_role_taken_away_applies_to_the_next_api_request(client, perf, people):
    controller = people[roles.CONTROLLER]
    headers = {"authorization": f"Bearer {ApiToken.issue(user=controller, name='t')}"}
    url = f"/api/access/performances/{perf.pk}/counts"
    assert client.get(url, headers=headers).status_code == 200
    controller.groups.remove(Group.objects.get(name=roles.GROUP_NAMES[roles.CONTROLLER]))
    assert client.get(url, headers=headers).status_code == 403


def test_api_tokens_identify_active_users_only_and_record_their_use(client, perf, people):
    controller = people[roles.CONTROLLER]
    key = ApiToken.issue(user=controller, name="door")
    url = f"/api/access/performances/{perf.pk}/counts"
    assert client.get(url, headers={"authorization": f"Bearer {key}x"}).status_code == 401
    assert client.get(url, headers={"authorization": f"Bearer {key}"}).status_code == 200
    token = ApiToken.objects.get(name="door")
    assert token.last_used_at is not None
    first_use = token.last_used_at
    client.get(url, headers={"authorization": f"Bearer {key}"})
    token.refresh_from_db()
    assert token.last_used_at == first_use  # written at most every 5 minutes
    controller.is_active = False
    controller.save()
    assert client.get(url, headers={"authorization": f"Bearer {key}"}).status_code == 401
