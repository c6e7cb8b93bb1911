"""Unguessable codes. Pure: the standard library's CSPRNG, an alphabet without look-alikes."""

import secrets

# No 0/O, 1/I/L, 5/S, 8/B, 2/Z: a code read aloud or retyped from paper stays right.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"  # 25 symbols, log2(25) = 4.64 bits each


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def order_number() -> str:
    return "E" + random_code(9)  # 41.8 bits: unique by constraint, unguessable by the secret beside it


def ticket_code() -> str:
    return random_code(24)  # 111 bits


def access_secret() -> str:
    return secrets.token_urlsafe(24)  # 192 bits
