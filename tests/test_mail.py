"""core/mail.WrittenMessage: a plain confirmation's bytes written directly, compared byte for
byte with what Django's own message gives for the same email, date, Message-ID and boundary."""

import email
from email import policy

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from entracte.core.mail import BulkEmail, WrittenMessage, writable

TEXT = "Bonjour,\n\nMerci pour votre commande EPG7DJMRG3.\n\n- La Traviata — Parterre, rang B, place 12 — 120,00 €\n"
HTML = "<!doctype html><html><body>\n<p>Merci &amp; à bientôt</p>\n</body></html>\n"


def bulk(subject="Votre commande EPG7DJMRG3 est confirmée", text=TEXT, html=HTML, to=("buyer@example.org",),
         from_email="billetterie@entracte.example", **kwargs):
    message = BulkEmail(subject, text, from_email, list(to), **kwargs)
    message.attach_alternative(html, "text/html")
    return message


def django_bytes(written: WrittenMessage, linesep="\n") -> bytes:
    """What Django's message gives for the same email, date, Message-ID and boundary; built
    here by EmailMultiAlternatives itself, not by BulkEmail, so the comparison depends on
    nothing of ours but the encoded subject Django is handed."""
    from entracte.core.mail import encoded_word

    e = written.email
    plain = EmailMultiAlternatives(encoded_word(e.subject), e.body, e.from_email, e.to,
                                   headers={"Date": written.date, "Message-ID": written.message_id})
    plain.attach_alternative(e.alternatives[0][0], "text/html")
    msg = plain.message()
    msg.set_boundary(written.boundary)
    return msg.as_bytes(linesep=linesep)


@pytest.mark.parametrize("linesep", ["\n", "\r\n"])
@pytest.mark.parametrize("subject", ["Your order ABC123 is confirmed", "Votre commande EPG7DJMRG3 est confirmée",
                                     "Ihre Bestellung ABC123 ist bestätigt", "Su pedido ABC123 está confirmado",
                                     "€" * 12])
def test_a_plain_confirmation_is_written_byte_for_byte_as_django_writes_it(subject, linesep):
    message = bulk(subject)
    written = message.message()
    assert isinstance(written, WrittenMessage)
    assert written.as_bytes(linesep=linesep) == django_bytes(written, linesep)
    # and a mail reader reads back what was written
    parsed = email.message_from_bytes(written.as_bytes(), policy=policy.default)
    assert str(parsed["Subject"]) == subject and parsed["To"] == "buyer@example.org"
    assert [part.get_content() for part in parsed.iter_parts()] == [TEXT, HTML]


# Bodies with every kind of line break the email package knows (and some it does not), tabs,
# non-ASCII, "From " at a line start, lines near the SMTP limit.
_bodies = st.lists(st.sampled_from(["a", "é", "€", "\n", "\r", "\r\n", "\t", " ", "From ", "--", "\x0b", "\u2028",
                                   "x" * 200, "ü" * 200]), max_size=12).map("".join)


@hypothesis_settings(max_examples=150, deadline=None)
@given(text=_bodies, html=_bodies)
def test_any_body_is_written_as_django_writes_it_or_left_to_django(text, html):
    message = bulk(text=text, html=html)
    written = message.message()
    if isinstance(written, WrittenMessage):
        assert written.as_bytes() == django_bytes(written)
        assert written.as_bytes(linesep="\r\n") == django_bytes(written, "\r\n")
    else:  # a line over 998 bytes (Django's quoted-printable) or an empty part (Django leaves it out)
        assert not text or not html or any(len(line.encode()) > 998 for line in (text + "\n" + html).splitlines())


@pytest.mark.parametrize("change", [
    {"subject": "Ihre Bestellung „Zauberflöte“ ist bestätigt — " * 2},  # more than one encoded-word
    {"subject": "Your order " + "A" * 80},  # folded
    {"subject": "€" * 15},  # one encoded-word, but too long for its line
    {"to": ("Buyer <buyer@example.org>",)},
    {"to": ("acheteur@exemple.fr", "second@example.org", "a.very.long.address.of.somebody@example.org")},
    {"to": ("bjørn@example.no",)},
    {"from_email": "Entracte <billetterie@entracte.example>"},
    {"cc": ["x@example.org"]},
    {"headers": {"X-Campaign": "rush"}},
    {"html": "<p>" + "é" * 600 + "</p>"},  # a line over 998 bytes: quoted-printable
])
def test_anything_else_goes_through_django_s_message(change):
    message = bulk(**change)
    assert not writable(message)
    msg = message.message()
    assert not isinstance(msg, WrittenMessage)
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert next(part.get_content() for part in parsed.iter_parts()) == TEXT


def test_the_written_message_answers_as_django_s_message_does_for_anything_else():
    written = bulk().message()
    assert written["Subject"] == "=?utf-8?b?Vm90cmUgY29tbWFuZGUgRVBHN0RKTVJHMyBlc3QgY29uZmlybcOpZQ==?="
    assert written["Date"] == written.date and written["Message-ID"] == written.message_id
    assert "To" in written and written.is_multipart() and written.get_content_type() == "multipart/alternative"
    assert written.get_boundary() == written.boundary
    # Django's message, built on demand, writes the same bytes
    assert written.standard().as_bytes() == written.as_bytes()
    assert written.as_bytes(unixfrom=True).startswith(b"From nobody ")
    import copy
    import pickle

    for twin in (copy.deepcopy(bulk().message()), pickle.loads(pickle.dumps(bulk().message()))):
        assert twin.as_bytes() == twin.standard().as_bytes()


def test_a_boundary_found_in_a_part_is_drawn_again(monkeypatch):
    from entracte.core import mail as core_mail

    drawn = iter(["===============taken==", "===============free=="])
    monkeypatch.setattr(core_mail, "_boundary", lambda: next(drawn))
    written = bulk(text="a line with ===============taken== in it\n").message()
    assert written.boundary == "===============free=="
    assert written.as_bytes() == django_bytes(written)


def test_the_file_and_memory_backends_send_it(settings, tmp_path):
    from django.core.mail import get_connection

    message = bulk()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    with get_connection() as connection:
        assert connection.send_messages([message]) == 1
    [written] = tmp_path.iterdir()
    parsed = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert [part.get_content() for part in parsed.iter_parts()] == [TEXT, HTML]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message.send()
    assert mail.outbox[-1].subject == message.subject and mail.outbox[-1].body == TEXT
