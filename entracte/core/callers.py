"""Who acts, checked inside the statement that does the work.

A service whose work is one SQL statement (the scan at the door, access/services.py) can
check its caller in that same statement instead of in a query of its own before it: one round
trip to the database instead of two. The caller's check is SQL given by the authentication
layer (customers/auth.py) and the statement does its writes only if the check allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple


@dataclass(frozen=True)
class CallerCheck:
    """A SELECT returning at most one row, columns `user_id, token_id, last_used_at, allowed`,
    with named parameters (`%(name)s`) given in `params`."""

    sql: str
    params: dict

    @classmethod
    def known(cls, user_id: int | None) -> CallerCheck:
        """A caller already authenticated (or none, for a scan by the system): always allowed."""
        return cls("SELECT CAST(%(caller_user)s AS bigint) AS user_id, CAST(NULL AS bigint) AS token_id, "
                   "NULL AS last_used_at, 1 = 1 AS allowed", {"caller_user": user_id})


class Caller(NamedTuple):
    user_id: int | None
    token_id: int | None
    last_used_at: datetime | str | None
    allowed: bool
