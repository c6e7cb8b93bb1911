"""Staff roles: Django groups and the permissions each one grants. One place for the matrix.

| role | may |
|---|---|
| administrator | everything: catalogue, sales, refunds, reports, scanning, users |
| box-office operator | sell, reserve, refund, print; find and create contacts; no catalogue change |
| controller | scan tickets at the door, nothing else |

`sync_roles()` creates or updates the groups; it runs after every `migrate` (see
`core/apps.py`), so a new permission reaches its roles with the migration that adds it.
Staff accounts get `is_staff` (they may log in to the back office) and one group.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR, OPERATOR, CONTROLLER = "administrator", "box_office_operator", "controller"

ALL = "__all__"

ROLES: dict[str, dict] = {
    ADMINISTRATOR: {"label": _("Administrator"), "permissions": ALL},
    OPERATOR: {"label": _("Box-office operator"), "permissions": [
        "sales.sell", "sales.refund", "sales.view_order", "sales.view_ticket", "sales.view_payment",
        "customers.view_contact", "customers.add_contact", "customers.change_contact",
        "catalog.view_performance", "catalog.view_event",
    ]},
    CONTROLLER: {"label": _("Controller"), "permissions": ["access.scan"]},
}

GROUP_NAMES = {ADMINISTRATOR: "Administrateur", OPERATOR: "Opérateur de billetterie", CONTROLLER: "Contrôleur"}


def sync_roles(*, using: str = "default") -> None:
    from django.contrib.auth.models import Group, Permission

    every = Permission.objects.using(using).all()
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in every.select_related("content_type")}
    for role, spec in ROLES.items():
        group, _created = Group.objects.using(using).get_or_create(name=GROUP_NAMES[role])
        wanted = list(by_name.values()) if spec["permissions"] == ALL else [by_name[n] for n in spec["permissions"] if n in by_name]
        group.permissions.set(wanted)


def assign_role(user, role: str) -> None:
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
