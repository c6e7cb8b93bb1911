"""Ticket codes, order numbers and cart secrets (sales/codes.py): the right length and
alphabet, every symbol equally likely, no repeat."""

from collections import Counter

from entracte.sales import codes


def test_codes_have_their_length_and_only_the_alphabet_s_symbols():
    for length in (1, 9, 24, 100):
        code = codes.random_code(length)
        assert len(code) == length and set(code) <= set(codes.ALPHABET)
    assert len(codes.ticket_code()) == 24 and codes.order_number().startswith("E") and len(codes.order_number()) == 10


def test_every_symbol_is_equally_likely_and_codes_do_not_repeat():
    drawn = [codes.ticket_code() for _ in range(10_000)]
    assert len(set(drawn)) == len(drawn)
    counts = Counter("".join(drawn))
    assert set(counts) == set(codes.ALPHABET)
    expected = 240_000 / len(codes.ALPHABET)  # 9,600 each
    # Chi-square with 24 degrees of freedom: above 51.2 has a probability of 0.1 %. A symbol
    # drawn from the dropped bytes (250-255), or a modulo bias, lands far above it.
    chi2 = sum((n - expected) ** 2 / expected for n in counts.values())
    assert chi2 < 51.2, counts
