"""Unguessable codes. Pure: the standard library's CSPRNG, an alphabet without look-alikes."""

import secrets

# No 0/O, 1/I/L, 5/S, 8/B, 2/Z: a code read aloud or retyped from paper stays right.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"  # 25 symbols, log2(25) = 4.64 bits each


# Random bytes to symbols: a byte below 250 (10 x 25) names the symbol byte % 25, a byte from 250
# up is dropped, so each symbol is equally likely. One call to the CSPRNG per code, not one per
# symbol (secrets.choice cost 35 us for a ticket code, this 1 us).
_SYMBOL_OF_BYTE = bytes(ord(ALPHABET[b % len(ALPHABET)]) if b < 250 else 0 for b in range(256))
_DROPPED = bytes(range(250, 256))


def random_code(length: int) -> str:
    code = ""
    while len(code) < length:
        code += secrets.token_bytes(length - len(code) + 4).translate(_SYMBOL_OF_BYTE, _DROPPED).decode()
    return code[:length]


def order_number() -> str:
    return "E" + random_code(9)  # 41.8 bits: unique by constraint, unguessable by the secret beside it


def ticket_code() -> str:
    return random_code(24)  # 111 bits


def access_secret() -> str:
    return secrets.token_urlsafe(24)  # 192 bits
