"""Codes people type: single-use codes (generated), partner and promo access codes (chosen by staff).

A single-use code is 12 characters from a 29-character alphabet without look-alikes (no
0/O, 1/I/L, U/V): 12 × log2(29) ≈ 58.3 bits, drawn with `secrets`. It is shown in groups of
four (ABCD-EFGH-JKMN) and typed in any case, with or without dashes or spaces.
"""

from __future__ import annotations

import math
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
LENGTH = 12
BITS = LENGTH * math.log2(len(ALPHABET))


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(typed: str) -> str:
    """What people type, as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-_.]+", "", typed or "").upper()[:32]


def display(code: str) -> str:
    if len(code) == LENGTH:
        return "-".join(code[i:i + 4] for i in range(0, LENGTH, 4))
    return code
