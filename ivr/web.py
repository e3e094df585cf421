"""The webhooks Twilio calls. Thin: check the signature, read the state, ask `ivr.flow`.

Whatever happens, Twilio gets a 200 with valid TwiML (or a 403 for a forged request): an
exception turns into the static safe answer of `ivr.safe`. Log lines carry the CallSid and the
line, never a field that could hold the caller's number.
"""

from __future__ import annotations

import hmac
import io
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import parse_qs, parse_qsl, quote, unquote_to_bytes, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    request,
    send_from_directory,
)
from itsdangerous import BadSignature, URLSafeSerializer
from twilio.request_validator import RequestValidator, get_signature_algorithm

from ivr import config as config_module
from ivr import flow, metrics, safe, twiml

log = logging.getLogger("ivr.calls")
RENDER_CACHE_SIZE = 4096
RECORDING_RETRIES = "#rc=5&rp=5xx,ct,rt"
# The fragments our URLs carry, by path (see Router.check_signature).
SIGNED_FRAGMENTS = {"/voice/recording": RECORDING_RETRIES}
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 64 * 1024  # Twilio's fields are a few hundred bytes
CALL_SID = re.compile(r"CA[0-9a-f]{32}")
TWIML_TYPE = "text/xml; charset=utf-8"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
# What a request's signature says about it (`Router.check_signature`).
GENUINE, FORGED, UNCHECKABLE = "genuine", "forged", "uncheckable"
bp = Blueprint("voice", __name__)


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


@dataclass(frozen=True)
class Decision:
    """One answer of the router, and what it counts for the metrics and statistics."""

    instructions: tuple
    outcome: tuple | None
    transfers: tuple
    menu_failures: tuple
    failed_transfers: tuple = ()
    # Its TwiML, by the base URL of its links, made on first use: kept with the decision, so
    # finding the document costs no more than finding the decision.
    documents: dict = field(default_factory=dict, compare=False)


class Router:
    """What the webhooks share, built once at start: nothing here reads a file per request."""

    def __init__(
        self,
        config,
        clock,
        store,
        auth_token,
        secret,
        public_url,
        sources=None,
        shared_keys=(),
        trunk_credentials=None,
    ):
        self._config = config
        self.trunk_credentials = trunk_credentials or {}
        self.clock = clock
        self.store = store
        self.validator = RequestValidator(auth_token) if auth_token else None
        # The secrets of Twilio's webhook SharedKeys (Webhook Settings): two while one replaces
        # the other.
        self.shared_validators = tuple(RequestValidator(key) for key in shared_keys)
        self.signer = URLSafeSerializer(secret, salt="ivr.call-state")
        self.public_url = public_url.rstrip("/") if public_url else None
        # Overrides live in the database, shared by every worker; each worker reads them at
        # most every few seconds, not on every request.
        self.refresh_seconds = float(os.environ.get("IVR_REFRESH_SECONDS", "5"))
        self._overrides: dict = {}
        self._overrides_read_at = float("-inf")
        self.overrides_version = 0  # changes whenever the overrides do
        # Configuration reload: where it comes from, and what was last seen there.
        self.sources = sources  # (config_dir, prompts_dir), or None: never reload
        self.reload_seconds = float(os.environ.get("IVR_RELOAD_SECONDS", "5"))
        self._checked_at = time.monotonic()
        self._fingerprint = self.fingerprint()
        self.loaded_at = clock()
        self.last_refused: dict | None = None
        self._rendered: dict = {}
        self._decoded: dict = {}
        self._decided: dict = {}
        self._request = threading.local()

    # -- the configuration, swapped whole when its files change ------------------------------

    @property
    def config(self):
        """The live configuration; one request sees one configuration from start to end."""
        return getattr(self._request, "config", None) or self._config

    def begin_request(self) -> None:
        """At the start of every webhook: look for changed files (every few seconds), then fix
        what this request sees. Thread-local, not Flask's context locals: cheaper on the hot
        path; `end_request` forgets it."""
        self.maybe_reload()
        self._request.environ = environ = request.environ
        self._request.config = self._config
        self._request.origin, self._request.base = self._where(environ)

    def environ(self) -> dict:
        environ = getattr(self._request, "environ", None)
        return environ if environ is not None else request.environ

    def fields(self):
        """The POSTed fields, read once per request. Twilio sends them url-encoded: parsed
        here directly, which costs less than werkzeug's general form parser."""
        environ = self.environ()
        cached = environ.get("ivr.fields")
        if cached is None:
            if environ.get("CONTENT_TYPE", "").startswith(FORM_TYPE):
                try:
                    length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM_BYTES)
                except ValueError:
                    length = 0
                raw = environ["wsgi.input"].read(length) if length > 0 else b""
                environ["wsgi.input"] = io.BytesIO(raw)  # still readable by werkzeug after us
                cached = PostedFields(form_pairs(raw))
            else:
                cached = request.form
            environ["ivr.fields"] = cached
        return cached

    def state_token(self) -> str:
        """Our `s=` query parameter (the call state), the only one our URLs carry."""
        query = self.environ().get("QUERY_STRING", "")
        if query.startswith("s=") and "&" not in query and "%" not in query:
            return query[2:]
        return request.args.get("s", "")

    def end_request(self, _error=None) -> None:
        self._request.__dict__.clear()

    def _where(self, environ=None) -> tuple[str, str]:
        environ = environ or request.environ
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        origin = f"{environ['wsgi.url_scheme']}://{host}"
        return origin, self.public_url or origin + environ.get("SCRIPT_NAME", "")

    def fingerprint(self) -> tuple:
        """Names, sizes and modification times of the files: a cheap look, no reading."""
        if self.sources is None:
            return ()
        seen = []
        for folder in self.sources:
            try:
                for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                    if entry.is_file() and entry.name.endswith((".yaml", ".yml")):
                        info = entry.stat()
                        seen.append((entry.path, info.st_size, info.st_mtime_ns))
            except OSError:
                seen.append((str(folder), -1, -1))
        return tuple(seen)

    def maybe_reload(self) -> None:
        """At most every few seconds: if the files changed, check them like `ivr check` and
        swap the new configuration in whole, or refuse it and keep serving the last good one."""
        if self.sources is None or time.monotonic() - self._checked_at < self.reload_seconds:
            return
        self._checked_at = time.monotonic()
        fingerprint = self.fingerprint()
        if fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        try:
            config, problems = config_module.load(*self.sources)
        except Exception as exc:  # a bug in loading must not stop calls either
            config, problems = None, [config_module.Problem(str(self.sources[0]), 0, repr(exc))]
        if config is None:
            errors = [str(p) for p in problems if not p.warning]
            self.last_refused = {"at": self.clock().isoformat(), "problems": errors}
            log.error(
                "refused a configuration change; still serving %s:\n%s",
                self._config.version,
                "\n".join(errors),
            )
            return
        from ivr import preload

        preload(config, self.clock().year)
        self._config = config
        # Documents and decisions of the old configuration are not this one's.
        self._rendered, self._decided = {}, {}
        self.loaded_at = self.clock()
        log.info("configuration %s is live", config.version)

    def overrides(self) -> dict:
        if time.monotonic() - self._overrides_read_at >= self.refresh_seconds:
            try:
                fresh = self.store.active_overrides(self.clock())
                if fresh != self._overrides:
                    self._overrides = fresh
                    self.overrides_version += 1
                self.flush_spool()
            except Exception:
                # The database is away: keep routing by what we knew, and by the schedule.
                log.exception("could not read the overrides; keeping the last ones known")
            self._overrides_read_at = time.monotonic()
        return self._overrides

    def flush_spool(self) -> None:
        try:
            stored = self.store.flush_spool()
        except Exception:
            log.exception("could not store the messages kept on disk; will try again")
            return
        if stored:
            log.info("stored %d voicemail(s) kept on disk while the database was away", stored)

    def flow(self) -> flow.CallFlow:
        return flow.CallFlow(self.config, self.clock(), self.overrides(), self.dialled())

    def dialled(self) -> str | None:
        """The number the caller dialled, if it is one of our lines' (else None)."""
        number = dialled_number(self)
        return number if number in self.config.line_by_number else None

    # -- decisions, kept for the minute --------------------------------------------------------

    def decide(
        self, how: str, subject, digits=None, dial=None, *, token: str | None = None
    ) -> Decision:
        """What to answer a new call on a line (`how` = "answer", `subject` its id), or a call
        coming back with a state ("resume"; `token`, the state as it came, keys it cheaper).
        Every time rule of a schedule or an override falls on a whole minute, and the answer
        holds nothing of one caller (the number dialled is one of our lines'): so within one
        minute, for the same overrides, the same question gets the same answer, worked out
        once."""
        now = self.clock()
        overrides = self.overrides()
        if how == "resume":
            digits = flow.clean_digits(digits)
        dialled = self.dialled()
        minute = int(now.timestamp() // 60)
        key = (how, token or subject, digits, dial, dialled, minute, self.overrides_version)
        decision = self._decided.get(key)
        if decision is None:
            call_flow = flow.CallFlow(self.config, now, overrides, dialled)
            if how == "answer":
                instructions = call_flow.answer(self.config.lines[subject])
            else:
                instructions = call_flow.resume(subject, digits=digits, dial=dial)
            decision = Decision(
                tuple(instructions),
                call_flow.outcome,
                tuple(call_flow.transfers),
                tuple(call_flow.menu_failures),
                tuple(call_flow.failed_transfers),
            )
            if len(self._decided) >= RENDER_CACHE_SIZE:
                self._decided.clear()
            self._decided[key] = decision
        return decision

    # -- call state in URLs ----------------------------------------------------------------

    def encode(self, state: flow.CallState) -> str:
        return self.signer.dumps(
            [
                state.line,
                state.step,
                state.pc,
                state.lang,
                state.invalid,
                state.silence,
                state.event,
                state.attempt,
            ]
        )

    def decode(self, token: str) -> flow.CallState | None:
        # A state holds nothing of one caller, so every caller at the same point of a line
        # brings the same token back: each is checked and decoded once.
        if token in self._decoded:
            return self._decoded[token]
        try:
            line, step, pc, lang, invalid, silence, event, *rest = self.signer.loads(token)
            # A state signed before ring groups had no `attempt`: the first phone.
            attempt = int(rest[0]) if rest else 0
            state = flow.CallState(
                line, step, int(pc), lang, int(invalid), int(silence), event, attempt
            )
        except (BadSignature, ValueError, TypeError):
            state = None
        if len(self._decoded) >= RENDER_CACHE_SIZE:
            self._decoded.clear()
        self._decoded[token] = state
        return state

    def base_url(self) -> str:
        base = getattr(self._request, "base", None)
        return base if base is not None else self._where()[1]

    def origin(self) -> str:
        origin = getattr(self._request, "origin", None)
        return origin if origin is not None else self._where()[0]

    def document(self, decision: Decision) -> str:
        """The TwiML of a decision."""
        base = self.base_url()
        xml = decision.documents.get(base)
        if xml is None:
            xml = twiml.render(
                decision.instructions, self, self.config.voices, self.trunk_credentials
            )
            decision.documents[base] = xml
        return xml

    def render(self, instructions: list) -> str:
        """TwiML for these instructions. The same answer is asked for again and again (every
        caller of a line at the same hour hears the same), so documents are kept: a call's
        state is in its instructions, hence in the key."""
        key = (self.base_url(), tuple(instructions))
        xml = self._rendered.get(key)
        if xml is None:
            xml = twiml.render(instructions, self, self.config.voices, self.trunk_credentials)
            if len(self._rendered) >= RENDER_CACHE_SIZE:
                self._rendered.clear()
            self._rendered[key] = xml
        return xml

    # The links of ivr.twiml.Links: absolute, so other TwiML providers can follow them too.

    def state(self, state: flow.CallState) -> str:
        # The answering phone's own requests (its screening key) go to the whisper webhook.
        path = "/voice/whisper" if state.event in flow.ANSWERING_EVENTS else "/voice/next"
        return f"{self.base_url()}{path}?s={self.encode(state)}"

    def recording(self, state: flow.CallState) -> str:
        # The fragment asks Twilio to retry when we answer 5xx (database away) or time out.
        return f"{self.base_url()}/voice/recording?s={self.encode(state)}{RECORDING_RETRIES}"

    def whisper(self, state: flow.CallState) -> str:
        return f"{self.base_url()}/voice/whisper?s={self.encode(state)}"

    def audio(self, path: str) -> str:
        if path.startswith("https://"):
            return path
        return f"{self.base_url()}/audio/{quote(path)}"

    # -- signatures ------------------------------------------------------------------------

    def signed_url(self) -> str:
        """The URL Twilio signed, as it was on the wire (not decoded and re-encoded): behind
        a proxy on the public base URL, else on the one we were reached at."""
        environ = self.environ()
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not raw or not raw.startswith("/"):
            query = request.query_string.decode("latin-1")
            raw = request.script_root + request.path + (f"?{query}" if query else "")
        return (self.public_url or self.origin()) + raw

    def check_signature(self) -> str:
        """GENUINE or FORGED; UNCHECKABLE when Twilio signed with a webhook SharedKey we were
        not given (TWILIO_SHARED_KEYS) or with an algorithm this twilio library does not know:
        our configuration is wrong, not the request."""
        if self.validator is None:  # IVR_INSECURE
            return GENUINE
        environ = self.environ()
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
        url, form = self.signed_url(), self.fields()
        # Twilio does not document whether it signs a URL's #fragment, which the server never
        # receives: for our URLs that carry one, both readings are accepted, and no other.
        fragment = SIGNED_FRAGMENTS.get(self.environ().get("PATH_INFO", ""))
        for validator in validators:
            try:
                # The URL as it came is what Twilio signs, nearly always: one HMAC settles
                # it. Else the validator's own check, which also tries the URL with and
                # without its port.
                exact = validator.compute_signature(url, form, algorithm)
            except ValueError:  # an algorithm newer than our twilio library
                return UNCHECKABLE
            if hmac.compare_digest(exact, signature):
                return GENUINE
            if validator.validate(url, form, signature, algorithm):
                return GENUINE
            if fragment and validator.validate(url + fragment, form, signature, algorithm):
                return GENUINE
        return FORGED

    def signing_settings(self) -> str:
        """For log lines: the SharedKey and algorithm Twilio says it signed with (neither is
        a secret), as in its X-Twilio-Webhooks-Signature-Settings header."""
        settings = self.environ().get("HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS", "")
        return re.sub(r"[^\w=,.:-]", "?", settings[:120]) or "-"


def router() -> Router:
    return current_app.extensions["ivr"]


def twiml_response(xml: str) -> Response:
    return Response(xml, status=200, content_type=TWIML_TYPE)


def caller_language(r: Router) -> str:
    """The language the caller chose, from our state in this URL or, for the Fallback URL,
    in the URL that failed (Twilio's ErrorUrl)."""
    tokens = request.args.getlist("s")
    error_url = r.fields().get("ErrorUrl", "")
    if error_url:
        tokens += parse_qs(urlsplit(error_url).query).get("s", [])
    for token in tokens:
        state = r.decode(token)
        if state is not None:
            return state.lang
    line = r.config.line_by_number.get(dialled_number(r))
    return line.default_language if line else "fr"


def safe_response(r: Router, reason: str = "error") -> Response:
    metrics.SAFE_ANSWERS.labels(reason).inc()
    try:
        lang, number = caller_language(r), dialled_number(r)
    except Exception:  # the safe answer must come whatever failed before it
        lang, number = "fr", None
    answer = safe.safe_answer(number, lang, r.config.route_for)
    return twiml_response(r.render(answer))


def webhook(view):
    """Signature check, then the view, which is given the app's Router; any exception
    becomes the safe answer."""
    timer = metrics.REQUEST_SECONDS.labels(view.__name__)

    @wraps(view)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        r = router()
        try:
            r.begin_request()
            refusal = signature_refusal(r)
            if refusal is not None:
                return refusal
            return view(r, *args, **kwargs)
        except Exception:
            log.exception("call=%s answering failed; gave the safe answer", call_sid(r))
            return safe_response(r, "exception")
        finally:
            timer.observe(time.perf_counter() - started)
            r.end_request()

    return wrapper


def signature_refusal(r: Router) -> Response | None:
    """None for a genuine request. A forged one gets 403. One we cannot check, because Twilio
    signed it with a key we were not given, gets the safe answer: the caller is not left with
    Twilio's error message for our mistake. A forger gains nothing by it: the safe answer says
    only what is public (the emergency numbers, the 24/7 line), stores nothing, and our TwiML
    does something only when Twilio itself fetched it for a call."""
    verdict = r.check_signature()
    if verdict == GENUINE:
        return None
    if verdict == UNCHECKABLE:
        log.error(
            "call=%s cannot check the signature: Twilio signed it with %s. Set that SharedKey's "
            "secret in TWILIO_SHARED_KEYS or, if it is there, upgrade twilio for that algorithm "
            "(docs/deploy.md). Gave the safe answer",
            call_sid(r),
            r.signing_settings(),
        )
        return safe_response(r, "signing key unknown")
    log.warning("refused a request with a bad signature path=%s", request.path)
    return Response("invalid signature", status=403, mimetype="text/plain")


def call_sid(r: Router) -> str:
    """Twilio's CallSid, for log lines: 'CA' and 32 hexadecimal digits. Anything else (a
    forged or garbled field) is not written out."""
    try:
        sid = r.fields().get("CallSid", "")
    except Exception:  # only for a log line: never fail because of it
        return "-"
    return sid if CALL_SID.fullmatch(sid) else "-"


def respond(r: Router, decision: Decision, state_line: str, step: str) -> Response:
    sid = call_sid(r)
    log.info("answered", extra={"call_sid": sid, "line": state_line, "step": step or "-"})
    metrics.record(decision)
    if decision.outcome is not None:
        line, outcome, language = decision.outcome
        try:
            r.store.add_call_outcome(line=line, outcome=outcome, language=language, at=r.clock())
        except Exception:
            # Statistics are worth less than the call: log and go on.
            log.exception("call=%s could not store the call's outcome", sid)
    return twiml_response(r.document(decision))


@bp.post("/voice")
@webhook
def incoming(r: Router):
    return answer_new_call(r)


def dialled_number(r: Router) -> str:
    """Twilio's `To`. A '+' sent unencoded (curl -d To=+32...) arrives as a space."""
    to = r.fields().get("To", "").strip()
    return "+" + to if to.isdigit() else to


def answer_new_call(r: Router) -> Response:
    line = r.config.line_by_number.get(dialled_number(r))
    if line is None:
        log.warning("call=%s dialled a number no line has; gave the safe answer", call_sid(r))
        return safe_response(r, "unknown number")
    return respond(r, r.decide("answer", line.id), line.id, "answer")


@bp.post("/voice/next")
@webhook
def next_step(r: Router):
    token = r.state_token()
    state = r.decode(token)
    if state is None or state.line not in r.config.lines:
        # A state from an older configuration or a tampered URL: start the call again.
        log.warning("call=%s came back with an unreadable state; starting over", call_sid(r))
        return answer_new_call(r)
    form = r.fields()
    dial = None
    if state.event == "dial":
        dial = flow.DialResult.from_twilio(form.get("DialCallStatus"), form.get("DialBridged"))
    decision = r.decide("resume", state, form.get("Digits"), dial, token=token)
    return respond(r, decision, state.line, f"{state.step}#{state.pc}:{state.event}")


@bp.post("/voice/recording")
@webhook
def recording_ready(r: Router):
    """Twilio's recordingStatusCallback: store the message, with nothing about the caller."""
    state = r.decode(r.state_token())
    if state is None:
        log.warning("call=%s recording callback with an unreadable state", call_sid(r))
        return twiml_response(EMPTY_TWIML)
    form = r.fields()
    if form.get("RecordingStatus", "completed") == "completed":
        try:
            duration = int(form.get("RecordingDuration", "0") or 0)
        except ValueError:
            duration = 0
        message = {
            "line": state.line,
            "received_at": r.clock(),
            "recording_sid": form.get("RecordingSid", "")[:64],
            "recording_url": form.get("RecordingUrl", "")[:512],
            "duration_seconds": duration,
            "language": state.lang,
        }
        try:
            r.store.add_voicemail(**message)
        except Exception:
            # Not the caller's request (they hear nothing of it): keep the message on disk
            # until the database is back, and answer 503 so that Twilio tries again (the
            # callback URL asks it to, in its #rc=...&rp=... fragment).
            spooled = r.store.spool_voicemail(message)
            log.exception(
                "call=%s line=%s voicemail not stored (database away); %s",
                call_sid(r),
                state.line,
                "kept on disk until it is back" if spooled else "NOT kept on disk either",
            )
            return Response(EMPTY_TWIML, status=503, mimetype="text/xml")
        log.info("call=%s line=%s voicemail stored", call_sid(r), state.line)
        r.flush_spool()
    return twiml_response(EMPTY_TWIML)


@bp.post("/voice/whisper")
@webhook
def whisper(r: Router):
    """Played to the counsellor who answers a transfer, before the caller is connected; with
    screening, also the answer to its "press a key to take the call"."""
    state = r.decode(r.state_token())
    if state is None or state.line not in r.config.lines:
        # A state we can no longer read (a key or configuration change mid-call): someone
        # answered, and a caller waits; connect them rather than drop the transfer.
        return twiml_response(EMPTY_TWIML)
    return twiml_response(r.render(r.flow().whisper(state)))


@bp.get("/audio/<path:path>")
def audio(path: str):
    """Recorded prompts, fetched by Twilio for <Play>. Public: they are what callers hear."""
    return send_from_directory(router()._config.audio_dir, path, max_age=3600)


@bp.post("/voice/fallback")
@webhook
def fallback(r: Router):
    log.warning(
        "call=%s fallback requested error=%s",
        call_sid(r),
        r.fields().get("ErrorCode", "-")[:16],
    )
    return safe_response(r)
