"""Twilio's POSTed fields, read from the request body once, cheaply, and never without bound.

Twilio sends a few hundred bytes of url-encoded ASCII. A body that says it is larger than
`MAX_BODY_BYTES` is refused before a byte of it is read (`TooLarge`): a slow or hostile client
cannot make a worker wait for it.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, unquote_to_bytes

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_BODY_BYTES = 16 * 1024  # Twilio's largest requests are about 2 KB


class TooLarge(ValueError):
    """The request declares a body larger than any Twilio sends."""


class PostedFields(dict):
    """Twilio's POSTed fields: `get` gives a field's first value, `getall` every value of it
    (the interface twilio's RequestValidator reads first when it signs them)."""

    __slots__ = ("_every",)

    def __init__(self, pairs: list[tuple[str, str]] = ()):
        super().__init__(pairs)
        self._every = None
        if len(self) != len(pairs):  # a name given twice (never by Twilio): first value wins
            every: dict[str, list[str]] = {}
            for name, value in pairs:
                every.setdefault(name, []).append(value)
            self._every = every
            self.update((name, values[0]) for name, values in every.items())

    @property
    def repeated(self) -> bool:
        """Whether a name was given more than once (never by Twilio)."""
        return self._every is not None

    def getall(self, name: str) -> list[str]:
        return self._every[name] if self._every is not None else [self[name]]

    getlist = getall


def form_pairs(raw: bytes) -> list[tuple[str, str]]:
    """The name=value pairs of an url-encoded body, as `urllib.parse.parse_qsl(body,
    keep_blank_values=True)` reads them, for less: Twilio's bodies are ASCII and never encode
    an '&' or '=', so the whole body is decoded at once, then split; any other body is read by
    parse_qsl itself."""
    if not raw.isascii() or b"%26" in raw or b"%3D" in raw or b"%3d" in raw:
        return parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
    if b"%" in raw or b"+" in raw:
        body = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")
    else:
        body = raw.decode("ascii")
    return [piece.partition("=")[::2] for piece in body.split("&") if piece]


def declared_length(environ: dict) -> int:
    """The body's length as the request declares it; TooLarge past our limit."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise TooLarge(f"a body of {length} bytes")
    return max(length, 0)


def read_fields(environ: dict) -> PostedFields:
    """The POSTed fields of a WSGI request, read once (kept in the environ)."""
    cached = environ.get("ivr.twilio.fields")
    if cached is None:
        pairs: list[tuple[str, str]] = []
        if environ.get("CONTENT_TYPE", "").startswith(FORM_TYPE):
            length = declared_length(environ)
            raw = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(raw)  # still readable by werkzeug after us
            pairs = form_pairs(raw)
        cached = environ["ivr.twilio.fields"] = PostedFields(pairs)
    return cached
