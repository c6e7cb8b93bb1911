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
  needs no folding (a quarter of the worker's time); those are written as they are;
- a plain confirmation is not built as Python email objects at all: its bytes are written
  directly, as Django's message would write them (WrittenMessage, docs/architecture.md).
"""

from __future__ import annotations

import base64
import re
import secrets
from email.policy import Compat32
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME

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
    """An EmailMultiAlternatives whose subject and boundary cost less to write, and which writes
    its own bytes when it is a plain confirmation (WrittenMessage)."""

    def message(self):
        if writable(self):
            return WrittenMessage(self)
        return self.standard_message()

    def standard_message(self, *, date: str | None = None, message_id: str | None = None, boundary: str | None = None):
        """Django's message, with the subject and boundary written as above; `date`,
        `message_id` and `boundary` fixed if given (else drawn as Django draws them)."""
        subject, headers = self.subject, self.extra_headers
        self.subject = encoded_word(subject)  # stays as written for whoever reads the message object
        if date is not None:
            self.extra_headers = {**headers, "Date": date, "Message-ID": message_id}
        try:
            msg = super().message()
        finally:
            self.subject, self.extra_headers = subject, headers
        if msg.is_multipart():
            parts = [self.body, *(content for content, _mimetype in self.alternatives)]
            while boundary is None or any(boundary in str(part) for part in parts):  # practically never twice
                boundary = _boundary()
            msg.set_boundary(boundary)
        for part in msg.walk():
            part.policy = SHORT_HEADERS_AS_THEY_ARE
        return msg


# A confirmation as BulkEmail writes it itself: a text part and its HTML alternative, plain
# ASCII addresses, a subject that fits on its line once encoded, no line longer than SMTP's
# limit (Django would switch to quoted-printable). Anything else goes through Django's message.
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
_LINE_LIMIT = 998  # RFC 5322, as django.core.mail.message checks it
_HEADER_LIMIT = 78  # compat32's max_line_length: a longer header is folded
# The email package's own line split when it writes a body (email.generator.NLCRE).
_LINES = re.compile(r"\r\n|\r|\n")


def writable(message: EmailMultiAlternatives) -> bool:
    """Whether WrittenMessage writes `message` byte for byte as Django would."""
    if (message.attachments or message.cc or message.reply_to or message.extra_headers
            or message.content_subtype != "plain" or message.alternative_subtype != "alternative"
            or len(message.alternatives) != 1 or message.alternatives[0][1] != "text/html"
            or (message.encoding or settings.DEFAULT_CHARSET).lower() != "utf-8"):
        return False
    addresses = [message.from_email, *message.to]
    if not message.to or not all(isinstance(a, str) and _ADDRESS.fullmatch(a) for a in addresses):
        return False
    subject = encoded_word(message.subject)
    if (not subject.isascii() or subject != subject.strip() or "  " in subject or "\n" in subject or "\r" in subject
            or len("Subject: ") + len(subject) > _HEADER_LIMIT
            or len("From: ") + len(message.from_email) > _HEADER_LIMIT
            or len("To: ") + len(", ".join(message.to)) > _HEADER_LIMIT):
        return False
    # (Django leaves an empty text part out)
    return all(isinstance(text, str) and text and _plain_8bit(text) for text in (message.body, message.alternatives[0][0]))


def _plain_8bit(text: str) -> bool:
    """A part Django writes as 8-bit UTF-8, as it is: no line over the limit, no surrogates."""
    try:
        return all(len(line.encode()) <= _LINE_LIMIT for line in text.splitlines())
    except UnicodeEncodeError:  # lone surrogates
        return False


class WrittenMessage:
    """The message of a plain BulkEmail, as Django's mail backends use it: `as_bytes()` writes
    the bytes Django's message would give (tests/test_mail.py compares them), at a
    fraction of the cost of building and writing Python's email objects (the worker's largest
    cost per confirmation, docs/performance.md). Anything else asked of it is answered by
    Django's message, built on first use with the same date, Message-ID and boundary."""

    def __init__(self, email: BulkEmail):
        self.email = email
        self.date = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        self.message_id = make_msgid(domain=DNS_NAME)
        parts = (email.body, email.alternatives[0][0])
        self.boundary = _boundary()
        while any(self.boundary in part for part in parts):  # practically never
            self.boundary = _boundary()
        self._standard = None

    def standard(self):
        if self._standard is None:
            self._standard = self.email.standard_message(date=self.date, message_id=self.message_id,
                                                         boundary=self.boundary)
        return self._standard

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        if unixfrom:
            return self.standard().as_bytes(unixfrom=unixfrom, linesep=linesep)
        email, nl, boundary = self.email, linesep, self.boundary
        content_type = f'multipart/alternative; boundary="{boundary}"'
        if len("Content-Type: ") + len(content_type) > _HEADER_LIMIT:  # folded as compat32 folds it
            content_type = content_type.replace("; ", f";{nl} ")
        head = (f"Content-Type: {content_type}{nl}MIME-Version: 1.0{nl}"
                f"Subject: {encoded_word(email.subject)}{nl}From: {email.from_email}{nl}To: {', '.join(email.to)}{nl}"
                f"Date: {self.date}{nl}Message-ID: {self.message_id}{nl}{nl}")
        parts = [f'--{boundary}{nl}Content-Type: text/{subtype}; charset="utf-8"{nl}MIME-Version: 1.0{nl}'
                 f"Content-Transfer-Encoding: {'7bit' if text.isascii() else '8bit'}{nl}{nl}{nl.join(_LINES.split(text))}"
                 for subtype, text in (("plain", email.body), ("html", email.alternatives[0][0]))]
        return f"{head}{nl.join(parts)}{nl}--{boundary}--{nl}".encode()

    def as_string(self, *args, **kwargs) -> str:
        return self.standard().as_string(*args, **kwargs)

    def __str__(self) -> str:
        return str(self.standard())

    def __getitem__(self, name):
        return self.standard()[name]

    def __contains__(self, name) -> bool:
        return name in self.standard()

    def __iter__(self):
        return iter(self.standard())

    def __len__(self) -> int:
        return len(self.standard())

    def __getattr__(self, name):
        if name.startswith("_"):  # own attributes not set yet (a copy being built): not the message's
            raise AttributeError(name)
        return getattr(self.standard(), name)


def _boundary() -> str:
    return "===============" + secrets.token_hex(12) + "=="
