"""Email messages sent in bulk (the confirmations of an on-sale rush): Django's
EmailMultiAlternatives, sent by Django's backends, with two of Python's slow steps done once and
cheaply. Building and serialising a message cost more than rendering its templates
(docs/performance.md):

- a non-ASCII subject went through `email.header.Header`, which measures every character's
  encoded length again for each candidate split (0.06 ms a message); one that fits in one
  RFC 2047 base64 encoded-word is written here as that word, which Django passes through
  unchanged (it is ASCII);
- the multipart boundary was drawn by the generator, which then compiled a regular expression
  to check it against the parts (0.09 ms a message); it is drawn here and checked by a search;
- every header went through `email.header.Header` to be folded, even a short ASCII one that
  needs no folding (a quarter of the worker's time); those are written as they are.
"""

from __future__ import annotations

import base64
import secrets
from email.policy import Compat32

from django.core.mail import EmailMultiAlternatives

# An encoded-word is at most 75 characters (RFC 2047): "=?utf-8?b?" + 60 base64 characters
# (45 bytes) + "?=" is 72.
_WORD_BYTES = 45


def encoded_word(text: str) -> str:
    """`text` as one RFC 2047 base64 encoded-word; itself when it is ASCII or too long for one
    word (Django's encoding then folds it into several, on lines of their own)."""
    data = text.encode()
    if text.isascii() or len(data) > _WORD_BYTES:
        return text
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


class _ShortHeadersAsTheyAre(Compat32):
    """Python's compat32 policy (Django's), but a header that fits on its line as it is, plain
    ASCII on one line, is written without going through the folding algorithm (which would
    give the same line back: tests/test_confirmations.py)."""

    def _fits(self, name, value) -> bool:
        return (isinstance(value, str) and value.isascii() and "\n" not in value and "\r" not in value
                and value == value.strip() and "  " not in value
                and len(name) + 2 + len(value) <= (self.max_line_length or 78))

    def fold(self, name, value):
        return f"{name}: {value}{self.linesep}" if self._fits(name, value) else super().fold(name, value)

    def fold_binary(self, name, value):
        if self._fits(name, value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


SHORT_HEADERS_AS_THEY_ARE = _ShortHeadersAsTheyAre()


class BulkEmail(EmailMultiAlternatives):
    """An EmailMultiAlternatives whose subject and boundary cost less to write."""

    def message(self):
        subject = self.subject  # stays as written for whoever reads the message object
        self.subject = encoded_word(subject)
        try:
            msg = super().message()
        finally:
            self.subject = subject
        if msg.is_multipart():
            parts = [self.body, *(content for content, _mimetype in self.alternatives)]
            boundary = _boundary()
            while any(boundary in str(part) for part in parts):  # practically never
                boundary = _boundary()
            msg.set_boundary(boundary)
        for part in msg.walk():
            part.policy = SHORT_HEADERS_AS_THEY_ARE
        return msg


def _boundary() -> str:
    return "===============" + secrets.token_hex(12) + "=="
