"""The values of unsaved model instances for an INSERT, prepared as the ORM prepares them.

Django prepares every value through five method calls (pre_save, get_db_prep_save,
get_db_prep_value, get_prep_value, to_python), whatever the value. For most field types that
preparation gives a value of the expected type back unchanged: an int for an integer column,
a str for a text column, a bool, a finite Decimal, and on PostgreSQL an aware datetime. Here
each field is looked at once, and such values are then taken as they are; every other value
(None aside) goes Django's whole way. A sale inserts about seventy values
(docs/performance.md); tests/test_hotpath_helpers.py checks that both ways give the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.backends.base.operations import BaseDatabaseOperations as BaseOps
from django.db.models import fields as f
from django.db.models.fields.related import ForeignKey
from django.utils import timezone

# A field's preparer: (instance, connection) -> value for the INSERT.
Preparer = Callable[[object, object], object]


def _own(ops, name: str) -> bool:
    """The backend keeps the base operation `name`, which returns its value unchanged."""
    return getattr(type(ops), name) is getattr(BaseOps, name)


def _kept_type(field, connection) -> tuple[type, Callable | None] | None:
    """(type, adapt) if the field prepares a value of that type as the value itself, or as
    adapt(value); None if not known to."""
    cls, ops = type(field), connection.ops
    prep, db_prep = cls.get_prep_value, cls.get_db_prep_value
    if cls.get_db_prep_save is not f.Field.get_db_prep_save:
        return None
    if prep is f.IntegerField.get_prep_value:
        if db_prep is f.AutoFieldMixin.get_db_prep_value and _own(ops, "validate_autopk_value"):
            return int, None
        if db_prep is f.IntegerField.get_db_prep_value:
            if _own(ops, "adapt_integerfield_value"):
                return int, None
            internal = field.get_internal_type()
            return int, lambda value, connection: connection.ops.adapt_integerfield_value(value, internal)  # psycopg's sized int
    if db_prep is f.Field.get_db_prep_value and prep in (f.CharField.get_prep_value, f.TextField.get_prep_value):
        return str, None
    if db_prep is f.Field.get_db_prep_value and prep is f.BooleanField.get_prep_value:
        return bool, None
    if db_prep is f.DecimalField.get_db_prep_value and prep is f.DecimalField.get_prep_value \
            and _own(ops, "adapt_decimalfield_value"):
        return Decimal, None  # an infinite or NaN one is refused on Django's way (below)
    if db_prep is f.DateTimeField.get_db_prep_value and prep is f.DateTimeField.get_prep_value and settings.USE_TZ:
        probe = datetime(2000, 1, 1, tzinfo=connection.timezone or None)
        if probe.tzinfo is not None and ops.adapt_datetimefield_value(probe) is probe:  # PostgreSQL
            return datetime, None
    return None


_MISSING = object()


def _preparer(field, connection) -> Preparer:
    def djangos(obj, connection):
        return field.get_db_prep_save(field.pre_save(obj, True), connection)

    stamped = isinstance(field, f.DateTimeField) and (field.auto_now or field.auto_now_add)
    plain_read = type(field).pre_save is f.Field.pre_save or (isinstance(field, f.DateField) and not stamped) or (
        stamped and type(field).pre_save is f.DateTimeField.pre_save)
    if not plain_read:
        return djangos
    if isinstance(field, ForeignKey):  # its own get_db_prep_save hands a value on to its target's
        if type(field).get_db_prep_save is not ForeignKey.get_db_prep_save:
            return djangos
        kept = _kept_type(field.target_field, connection)
    else:
        kept = _kept_type(field, connection)
    if kept is None:
        return djangos
    kind, adapt = kept
    attname = field.attname

    if stamped:  # as DateTimeField.pre_save: now, in the instance too
        def stamp(obj, connection):
            value = timezone.now()
            setattr(obj, attname, value)
            return djangos(obj, connection) if value.utcoffset() is None else value
        return stamp

    finite, aware = kind is Decimal, kind is datetime

    def prepared(obj, connection):
        value = obj.__dict__.get(attname, _MISSING)
        if value is None:  # each of these fields prepares None as None
            return None
        if type(value) is not kind or (finite and not value.is_finite()) or (aware and value.utcoffset() is None):
            return djangos(obj, connection)  # a deferred attribute (_MISSING) too: Django loads it
        return value if adapt is None else adapt(value, connection)

    return prepared


_BUILT: dict[tuple, tuple[list, list[Preparer]]] = {}


def preparers(model, skip: tuple[str, ...], connection) -> tuple[list, list[Preparer]]:
    """The model's concrete fields but the primary key and the columns in `skip`, and a
    preparer for each (built once per model, database vendor and timezone)."""
    key = (model, skip, connection.vendor, connection.timezone, settings.USE_TZ)
    try:
        return _BUILT[key]
    except KeyError:
        fields = [field for field in model._meta.concrete_fields if not field.primary_key and field.column not in skip]
        built = _BUILT[key] = (fields, [_preparer(field, connection) for field in fields])
        return built


def values(objs: list, skip: tuple[str, ...], connection) -> tuple[list, list[list]]:
    """The fields (as preparers() gives them) and each instance's prepared values."""
    fields, prepare = preparers(type(objs[0]), skip, connection)
    return fields, [[p(obj, connection) for p in prepare] for obj in objs]
