"""Is a request Twilio's? Its `X-Twilio-Signature`, checked with twilio-python's validator.

By default Twilio signs with the account's auth token (HMAC-SHA1). A URL covered by a Webhook
Setting with a SharedKey is signed with that key's secret and the Setting's algorithm, named in
the `X-Twilio-Webhooks-Signature-Settings` header: two secrets may be given while one key
replaces the other. A request signed with a key we were not given is UNCHECKABLE: our
configuration is wrong, not the request (docs/deploy.md). With IVR_INSECURE=1 and no token (a
local trial) every request is UNCHECKED: served, but never trusted with a secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from twilio.request_validator import RequestValidator, get_signature_algorithm

from ivr.twilio.links import RETRIES

GENUINE, FORGED, UNCHECKABLE, UNCHECKED = "genuine", "forged", "uncheckable", "unchecked"
# Twilio documents that a URL's #fragment (our connection overrides) is left out of what it
# signs, and the server never receives it. A signature over the URL with its fragment is
# accepted too, for the URLs of ours that carry one and for no other: it takes the same secret,
# and a recording callback refused with 403 is never tried again (a message lost).
SIGNED_FRAGMENTS = {"/voice/recording": RETRIES, "/voice/status": RETRIES}


def twilio_sha1(key, url: str, fields) -> str:
    """Twilio's default signature of a request whose fields are each given once (as Twilio
    gives them): what RequestValidator.compute_signature makes, with less work per request.
    `key` is the auth token, or an HMAC already keyed with it. A test holds the two equal
    (tests/test_properties.py)."""
    signed = url + "".join([name + value for name, value in sorted(fields.items())])
    mac = key.copy() if isinstance(key, hmac.HMAC) else hmac.new(key, digestmod=hashlib.sha1)
    mac.update(signed.encode("utf-8"))
    return base64.b64encode(mac.digest()).decode("ascii")


class Signatures:
    def __init__(self, auth_token: str, shared_keys: tuple[str, ...] = (), insecure: bool = False):
        self.insecure = insecure and not auth_token
        self.validator = RequestValidator(auth_token) if auth_token else None
        # Keyed once: each request copies it rather than keying a new HMAC.
        self.key = hmac.new(auth_token.encode("utf-8"), digestmod=hashlib.sha1)
        self.shared_validators = tuple(RequestValidator(key) for key in shared_keys)

    def check(self, url: str, fields, environ: dict) -> str:
        """GENUINE, FORGED or UNCHECKABLE, for the request to `url` (as Twilio requested it)
        with these POSTed fields; UNCHECKED for every request of a local trial."""
        if self.insecure:
            return UNCHECKED
        if self.validator is None:
            return FORGED
        settings = environ.get("HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS")
        if settings is None:  # signed with the account's auth token, HMAC-SHA1
            validators, algorithm = (self.validator,), None
        else:
            validators, algorithm = self.shared_validators, get_signature_algorithm(settings)
            if not validators:
                return UNCHECKABLE
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE", "")
        if not signature.isascii():
            return FORGED
        if settings is None and not fields.repeated:
            # Nearly every request: the URL as it came, signed with the auth token.
            if hmac.compare_digest(twilio_sha1(self.key, url, fields), signature):
                return GENUINE
        fragment = SIGNED_FRAGMENTS.get(environ.get("PATH_INFO", ""))
        for validator in validators:
            try:
                # The URL as it came is what Twilio signs, nearly always: one HMAC settles
                # it. Else the validator's own check, which also tries the URL with and
                # without its port.
                exact = validator.compute_signature(url, fields, algorithm)
            except ValueError:  # an algorithm newer than our twilio library
                return UNCHECKABLE
            if hmac.compare_digest(exact, signature):
                return GENUINE
            if validator.validate(url, fields, signature, algorithm):
                return GENUINE
            if fragment and validator.validate(url + fragment, fields, signature, algorithm):
                return GENUINE
        return FORGED


def signing_settings(environ: dict) -> str:
    """For log lines: the SharedKey and algorithm Twilio says it signed with (neither is a
    secret), as in its X-Twilio-Webhooks-Signature-Settings header, made harmless."""
    settings = environ.get("HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS", "")
    return re.sub(r"[^\w=,.:-]", "?", settings[:120]) or "-"
