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

import functools

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR, OPERATOR, CONTROLLER = "administrator", "box_office_operator", "controller"

ALL = "__all__"

ROLES: dict[str, dict] = {
    ADMINISTRATOR: {"label": _("Administrator"), "permissions": ALL},
    OPERATOR: {"label": _("Box-office operator"), "permissions": [
        "sales.sell", "sales.refund", "sales.view_order", "sales.view_ticket", "sales.view_payment",
        "customers.view_contact", "customers.add_contact", "customers.change_contact",
        "catalog.view_performance", "catalog.view_event", "subscriptions.view_subscription",
    ]},
    CONTROLLER: {"label": _("Controller"), "permissions": ["access.scan"]},
}

GROUP_NAMES = {ADMINISTRATOR: "Administrateur", OPERATOR: "Opérateur de billetterie", CONTROLLER: "Contrôleur"}


def sync_roles(*, using: str = "default") -> None:
    from django.contrib.auth.models import Group, Permission

    _permission_ids.clear()
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


@functools.cache  # a pure function of its arguments and the models
def permission_sql(user_id: str, permission_id: str = "%s") -> str:
    """An SQL condition: the user whose id is the expression `user_id` holds the permission whose
    id is the expression `permission_id` (see `permission_id()`), directly or through a group.
    With the default placeholder, pass the id twice. Superusers are the caller's business."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    user_perms = model._meta.get_field("user_permissions").remote_field.through._meta.db_table
    user_groups = model._meta.get_field("groups").remote_field.through._meta.db_table
    return (f"(EXISTS (SELECT 1 FROM {user_groups} ug JOIN auth_group_permissions gp ON gp.group_id = ug.group_id "
            f"WHERE ug.user_id = {user_id} AND gp.permission_id = {permission_id}) OR "
            f"EXISTS (SELECT 1 FROM {user_perms} up WHERE up.user_id = {user_id} AND up.permission_id = {permission_id}))")


_permission_ids: dict[str, int] = {}


def permission_id(permission: str) -> int:
    """The id of the permission "app_label.codename" (-1, matching nothing, if there is none).

    Kept per process: permissions are rows `migrate` writes, and every API request checks one
    (reading it in the check's SQL cost PostgreSQL a scan of the permission table each time,
    docs/performance.md). `sync_roles`, which runs after every migrate and flush, forgets them."""
    pk = _permission_ids.get(permission)
    if pk is None:
        from django.contrib.auth.models import Permission

        app_label, codename = permission.split(".", 1)
        pk = (Permission.objects.filter(content_type__app_label=app_label, codename=codename)
              .values_list("pk", flat=True).first())
        if pk is None:
            return -1
        _permission_ids[permission] = pk
    return pk


def has_permission(user, permission: str) -> bool:
    """`user.has_perm(permission)` for the default backend, in one statement instead of
    Django's two (user permissions, then group permissions) and without loading every
    permission. Always read afresh, never cached: a role taken away applies at once."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    from .rawsql import fetch

    pk = permission_id(permission)
    return bool(fetch(f"SELECT 1 WHERE {permission_sql('%s')}", [user.pk, pk, user.pk, pk], prepare=True))
