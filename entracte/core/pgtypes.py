"""Timestamps read from PostgreSQL by psycopg's compiled loader.

Django reads every `timestamptz` through its own loader, a subclass of psycopg's pure-Python
one (a regular expression and a timezone conversion per value), so that the value carries the
connection's timezone. psycopg's compiled loader cannot be subclassed, so Django loses it.
A hold and a checkout read about twenty timestamps. This loader asks the compiled one (where
psycopg has it) and then sets the timezone as Django's does; docs/performance.md has the
figures.

Registered on each new PostgreSQL connection (CoreConfig.ready).
"""

from __future__ import annotations

import functools

TIMESTAMPTZ = "timestamptz"


@functools.lru_cache(maxsize=8)
def loader_for(timezone):
    """A loader of `timestamptz` text values giving datetimes in `timezone` (None: naive), as
    Django's own loader gives them. Its `timezone` attribute is what Django's cursors compare
    with their connection's before registering a loader of their own."""
    from psycopg import adapters
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    compiled = adapters.get_loader(adapters.types[TIMESTAMPTZ].oid, Format.TEXT)

    class TimestamptzLoader(Loader):
        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._load = compiled(oid, context).load

        def load(self, data):
            # The connection's session timezone is Django's (it sets it when it connects), so
            # the value is already in `timezone`: only the tzinfo object is Django's.
            return self._load(data).replace(tzinfo=timezone)

    TimestamptzLoader.timezone = timezone
    return TimestamptzLoader


def use_compiled_timestamps(sender, connection, **kwargs):
    """connection_created receiver: a new PostgreSQL connection reads timestamps with
    loader_for(its timezone)."""
    if connection.vendor != "postgresql":
        return
    try:
        connection.connection.adapters.register_loader(TIMESTAMPTZ, loader_for(connection.timezone))
    except (ImportError, AttributeError):  # psycopg 2: Django's own conversion stays
        pass
