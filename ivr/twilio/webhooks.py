"""The webhooks Twilio calls. Thin: check the signature, read the state, ask `ivr.twilio.answers`.

Whatever happens, Twilio gets a 200 with valid TwiML (or a 403 for a forged request): an
exception turns into the static safe answer of `ivr.twilio.safe`. Nothing here waits on the database
or reads a file: the configuration and the overrides come from `ivr.runtime.live`, kept fresh by its
own threads. Log lines carry the CallSid and the line, never a field that could hold the
caller's number.
"""

from __future__ import annotations

import logging
import os
import re
import time
from functools import wraps
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, abort, current_app, request, send_file

from ivr import flow, logs, metrics
from ivr.domain.model import DEFAULT_LANGUAGE, END
from ivr.twilio import safe
from ivr.twilio.fields import TooLarge, read_fields
from ivr.twilio.links import Links
from ivr.twilio.signature import GENUINE, UNCHECKABLE, UNCHECKED, signing_settings

log = logging.getLogger("ivr.calls")
CALL_SID = re.compile(r"CA[0-9a-f]{32}")
RECORDING_SID = re.compile(r"RE[0-9a-f]{32}")
TWIML_TYPE = "text/xml; charset=utf-8"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
# Callbacks no caller waits on. When one fails, the Twilio thread finds at Twilio what it
# brought (the reconcile round takes in recordings we lack; its sweep queues calls whose end we
# missed), so it is answered 200: an error would have Twilio's Debugger keep an alert, the
# request's fields and the caller's number among them, where we cannot delete it
# (docs/privacy.md). Only without Twilio's REST API, where nothing would find it later, is it
# answered 503, and Twilio sends it again (its URL asks for that: #rc=...&rp=...).
CALLBACKS = ("recording_ready", "call_status")
# How long a recording callback waits for the database before answering: its message is on
# disk already, so it never needs to wait long.
STORE_WAIT = 1.5
bp = Blueprint("voice", __name__)


class Hook:
    """One request of Twilio's: its fields, and where our answer's links point. It sees one
    configuration from start to end."""

    __slots__ = ("service", "environ", "config", "links", "origin", "verified")

    def __init__(self, service, environ: dict):
        self.service = service
        self.environ = environ
        # Whether Twilio's signature was checked and good: only then may our answer hold a
        # secret (a trunk's password), whatever else the request is given.
        self.verified = False
        self.config = service.live.config
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        self.origin = f"{environ['wsgi.url_scheme']}://{host}"
        base = service.settings.public_url or self.origin + environ.get("SCRIPT_NAME", "")
        self.links = Links(base, service.codec)

    @property
    def fields(self):
        return read_fields(self.environ)

    def state_token(self) -> str:
        """Our `s=` query parameter (the call state), the only one our URLs carry."""
        query = self.environ.get("QUERY_STRING", "")
        if query.startswith("s=") and "&" not in query and "%" not in query:
            return query[2:]
        return request.args.get("s", "")

    def signed_url(self) -> str:
        """The URL Twilio signed, as it was on the wire (not decoded and re-encoded): behind
        a proxy on the public base URL, else on the one we were reached at."""
        environ = self.environ
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not raw or not raw.startswith("/"):
            query = request.query_string.decode("latin-1")
            raw = request.script_root + request.path + (f"?{query}" if query else "")
        return (self.service.settings.public_url or self.origin) + raw

    def call_sid(self) -> str:
        """Twilio's CallSid, for log lines: 'CA' and 32 hexadecimal digits. Anything else (a
        forged or garbled field) is not written out."""
        try:
            sid = self.fields.get("CallSid", "")
        except Exception:  # only for a log line: never fail because of it
            return "-"
        return sid if CALL_SID.fullmatch(sid) else "-"

    def dialled_number(self) -> str:
        """Twilio's `To`. A '+' sent unencoded (curl -d To=+32...) arrives as a space."""
        to = self.fields.get("To", "").strip()
        return "+" + to if to.isdigit() else to

    def dialled_line(self):
        return self.config.line_by_number.get(self.dialled_number())

    def caller_language(self) -> str:
        """The language the caller chose, from our state in this URL or, for the Fallback
        URL, in the URL that failed (Twilio's ErrorUrl)."""
        tokens = request.args.getlist("s")[:2]
        error_url = self.fields.get("ErrorUrl", "")
        if error_url:
            tokens += parse_qs(urlsplit(error_url[:2048]).query).get("s", [])[:2]
        for token in tokens:
            state = self.service.codec.decode(token)
            if state is not None:
                return state.lang
        line = self.dialled_line()
        return line.default_language if line else DEFAULT_LANGUAGE


def twiml_response(xml: str) -> Response:
    return Response(xml, status=200, content_type=TWIML_TYPE)


def callback_not_taken(hook: Hook, what: str, exc_info: bool = False) -> Response:
    """A callback whose news we could not take now (`CALLBACKS` says why this answer)."""
    if hook.service.privacy.api is not None:
        log.warning(
            "call=%s %s; the Twilio thread finds it at Twilio later",
            hook.call_sid(),
            what,
            exc_info=exc_info,
        )
        return twiml_response(EMPTY_TWIML)
    log.error(
        "call=%s %s, and without Twilio's REST API nothing takes it in later; Twilio is asked "
        "to send it again",
        hook.call_sid(),
        what,
        exc_info=exc_info,
    )
    return Response(EMPTY_TWIML, status=503, mimetype="text/xml")


def safe_response(hook: Hook, reason: str = "error") -> Response:
    metrics.SAFE_ANSWERS.labels(reason).inc()
    if request.path == OFFER_PATH:
        # A counsellor's leg, not a caller's: no menu, no 107 dialled showing their phone.
        return twiml_response(HANGUP)
    try:
        lang, number = hook.caller_language(), hook.dialled_number()
    except Exception:  # the safe answer must come whatever failed before it
        lang, number = DEFAULT_LANGUAGE, None
    config = hook.config

    def caller_id(dialled: str, route) -> str:
        try:
            return config.caller_id(config.line_by_number.get(dialled), (route,), dialled)
        except Exception:  # never the caller's number, whatever failed: the one they dialled
            return dialled

    answer = safe.safe_answer(number, lang, config.route_for, caller_id)
    return twiml_response(
        hook.service.answers.render(hook.config, answer, hook.links, trusted=hook.verified)
    )


def webhook(view):
    """Signature check, then the view, given this request's Hook; any exception becomes the
    safe answer."""
    # Bound on the first request, in the worker: a metric's figures live in a file per
    # process, which an import in gunicorn's master (its config imports ivr) must not create.
    timers: dict[int, object] = {}

    @wraps(view)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        service = current_app.extensions["ivr"]
        try:
            service.begin()
        except Exception:  # whatever failed there, the caller is still answered
            log.exception("could not look for changes before answering")
        hook = Hook(service, request.environ)
        try:
            refusal = signature_refusal(hook)
            if refusal is not None:
                return refusal
            return view(hook, *args, **kwargs)
        except TooLarge:
            return Response("request too large", status=413, mimetype="text/plain")
        except Exception:
            if view.__name__ in CALLBACKS:
                return callback_not_taken(hook, f"{view.__name__} failed", exc_info=True)
            log.exception("call=%s answering failed; gave the safe answer", hook.call_sid())
            try:
                return safe_response(hook, "exception")
            except Exception:
                log.exception("the safe answer failed too; gave the last resort")
                return twiml_response(safe.LAST_RESORT)
        finally:
            timer = timers.get(os.getpid())
            if timer is None:
                timer = timers[os.getpid()] = metrics.REQUEST_SECONDS.labels(view.__name__)
            timer.observe(time.perf_counter() - started)

    return wrapper


def signature_refusal(hook: Hook) -> Response | None:
    """None for a genuine request. A forged one gets 403. One we cannot check, because Twilio
    signed it with a key we were not given, gets the safe answer: the caller is not left with
    Twilio's error message for our mistake. A forger gains nothing by it: the safe answer says
    only what is public (the emergency numbers, the 24/7 line), stores nothing, holds no trunk
    credentials (`Hook.verified`), and our TwiML does something only when Twilio itself fetched
    it for a call."""
    verdict = hook.service.signatures.check(hook.signed_url(), hook.fields, hook.environ)
    hook.verified = verdict == GENUINE
    if verdict in (GENUINE, UNCHECKED):
        return None
    if verdict == UNCHECKABLE:
        settings = signing_settings(hook.environ)
        write, held = hook.service.noisy.allow("uncheckable " + settings)
        if write:
            log.error(
                "call=%s cannot check the signature: Twilio signed it with %s. Set that "
                "SharedKey's secret in TWILIO_SHARED_KEYS or, if it is there, upgrade twilio for "
                "that algorithm (docs/deploy.md). Gave the safe answer (%d more held back)",
                hook.call_sid(),
                settings,
                held,
            )
        return safe_response(hook, "signing key unknown")
    write, held = hook.service.noisy.allow("forged")
    if write:
        log.warning(
            "refused a request with a bad signature path=%s (%d more held back)",
            request.path[:80],
            held,
        )
    return Response("invalid signature", status=403, mimetype="text/plain")


def respond(hook: Hook, decision, state_line: str, step: str, gone: str | None = None) -> Response:
    """`gone`: the caller hung up while a transfer rang (their language), and nothing else
    ended the call: it is counted as such."""
    logs.answered(log, hook.call_sid(), state_line, step)
    metrics.record(decision)
    service = hook.service
    ended = decision.outcome
    if ended is None and gone is not None:
        ended = (state_line, HUNG_UP_WAITING, gone)
        metrics.CALLS.labels(state_line, HUNG_UP_WAITING).inc()
    if ended is not None:
        line, outcome, language = ended
        service.upkeep.add_outcome(
            line=line,
            outcome=outcome,
            language=language,
            at=service.clock(),
            organisation=organisation_of(hook.config, line),
        )
    return twiml_response(
        service.answers.document(hook.config, decision, hook.links, trusted=hook.verified)
    )


def answer_new_call(hook: Hook) -> Response:
    line = hook.dialled_line()
    if line is None:
        write, held = hook.service.noisy.allow("unknown number")
        if write:
            log.warning(
                "call=%s dialled a number no line has; gave the safe answer (%d more held back)",
                hook.call_sid(),
                held,
            )
        return safe_response(hook, "unknown number")
    decision = hook.service.answers.decide(
        hook.config, "answer", line.id, dialled=hook.dialled_number(), duty=hook.service.queue.duty
    )
    return respond(hook, decision, line.id, "answer")


@bp.post("/voice")
@webhook
def incoming(hook: Hook):
    console = hook.config.phone_console
    answer_console = hook.service.phone_console
    if console is not None and answer_console and hook.dialled_number() in console.numbers:
        return answer_console(hook)  # the coordinators' phone console (ivr.console.phone_calls)
    return answer_new_call(hook)


@bp.post("/voice/next")
@webhook
def next_step(hook: Hook):
    token = hook.state_token()
    state = hook.service.codec.decode(token)
    form = hook.fields
    if state is None or state.line not in hook.config.lines:
        if form.get("RecordingUrl") and hook.dialled_line() is not None:
            # A message was just recorded, under a state we can no longer read (a key or
            # configuration change): keep the message, and say whether it is kept.
            line = hook.dialled_line()
            kept = keep_message(hook, line.id, line.default_language, form.get("RecordingUrl"), 0)
            event = "recorded" if kept else "not kept"
            state = flow.CallState(line.id, END, 0, line.default_language, event=event)
            token = None
        else:
            # A state from an older configuration or a tampered URL: start the call again.
            log.warning(
                "call=%s came back with an unreadable state; starting over", hook.call_sid()
            )
            return answer_new_call(hook)
    elif state.event == "recorded" and form.get("RecordingUrl"):
        # The <Record> action's own fields: a second source of the message, ahead of its
        # recording callback (the journal and the database keep it once). The caller is
        # thanked only if this very request made it durable; else told it is not kept.
        if not keep_message(hook, state.line, state.lang, form.get("RecordingUrl", ""), 0):
            state, token = state.expecting("not kept"), None
    dial, digits = None, form.get("Digits")
    if state.event == "dial":
        dial = flow.DialResult.from_twilio(form.get("DialCallStatus"), form.get("DialBridged"))
    elif state.event == "queued":
        dial, digits = left_queue(hook, state)
    decision = hook.service.answers.decide(
        hook.config,
        "resume",
        state,
        digits,
        dial,
        dialled=hook.dialled_number(),
        token=token,
        duty=hook.service.queue.duty,
    )
    # Twilio asks a <Dial>'s action with the call's own status: "completed" when the caller
    # hung up before anyone answered (docs/twilio.md).
    gone = state.lang if dial is not None and form.get("CallStatus") == "completed" else None
    return respond(hook, decision, state.line, f"{state.step}#{state.pc}:{state.event}", gone)


HUNG_UP_WAITING = "hung up waiting"


def organisation_of(config, line_id: str) -> str:
    """The organisation a line belongs to now, kept with its calls and messages."""
    return config.organisation_of(line_id)


def field_number(form, name: str, most: int = 86400) -> int:
    """A number Twilio reports (QueuePosition, QueueTime...), bounded; 0 for junk."""
    try:
        return max(0, min(int(form.get(name, "0") or 0), most))
    except ValueError:
        return 0


def left_queue(hook: Hook, state) -> tuple:
    """The `<Enqueue>`'s action: how the caller's wait ended (QueueResult), counted, and
    the key they pressed to leave, if any. Nothing of the caller is kept."""
    form = hook.fields
    dial = flow.DialResult.from_queue(form.get("QueueResult"))
    waited = field_number(form, "QueueTime")
    result = metrics.QUEUE_RESULT_WORDS.get(dial.status, dial.status)
    metrics.QUEUE_WAIT_SECONDS.labels(state.line, result).observe(waited)
    queue = hook.service.queue
    if not dial.bridged:  # a caller taken was counted out when the counsellor took them
        queue.left(state.line, state.lang)
    digits = None
    if dial.status == "no-answer":
        sid = form.get("CallSid", "")
        if CALL_SID.fullmatch(sid):
            try:
                digits = hook.service.store.duty.chosen(queue.call_key(sid))
            except Exception:  # then as after max_wait: on_failure
                log.exception("call=%s could not read the key pressed while waiting", sid)
    return dial, digits


@bp.post("/voice/wait")
@webhook
def wait(hook: Hook):
    """Twilio's waitUrl for a caller in a queue (again each time the document ends), and the
    Gather's action of a key pressed there. Reports the queue's size to the queue thread,
    which offers the call; answers the caller's place in line. Any failure: `<Leave>`, and
    the `<Enqueue>`'s action goes on (on_failure), never a caller left in silence."""
    leave = twiml_response('<?xml version="1.0" encoding="UTF-8"?><Response><Leave /></Response>')
    try:
        state = hook.service.codec.decode(hook.state_token())
        if state is None or state.line not in hook.config.lines:
            return leave
        form, service = hook.fields, hook.service
        position = field_number(form, "QueuePosition", 1000)
        queue_time = field_number(form, "QueueTime")
        average = field_number(form, "AvgQueueTime")
        if "CurrentQueueSize" in form:
            size = field_number(form, "CurrentQueueSize", 1000)
            service.queue.report(state.line, state.lang, size, queue_time, average, hook.links.base)
        call_flow = flow.CallFlow(
            hook.config, service.clock(), service.live.overrides, hook.dialled_number()
        )
        if state.event == "wait-key":
            instructions, choice = call_flow.wait_key(state, form.get("Digits"))
            if choice is not None:
                sid = form.get("CallSid", "")
                try:
                    service.store.duty.choose(
                        service.queue.call_key(sid), choice, now=service.clock()
                    )
                except Exception:
                    # The choice cannot reach the queue's end (`<Leave>` carries nothing but
                    # this row): the caller would land on on_failure, not where the key
                    # leads. They keep their place in line instead, and hear it.
                    log.exception("call=%s could not keep the key pressed while waiting", sid)
                    instructions = call_flow.wait_document(state, position, queue_time, average)
        else:
            instructions = call_flow.wait_document(state, position, queue_time, average)
        return twiml_response(
            service.answers.render(hook.config, instructions, hook.links, trusted=False)
        )
    except Exception:
        log.exception(
            "call=%s the wait document failed; the caller leaves the queue", hook.call_sid()
        )
        return leave


OFFER_PATH = "/voice/offer"  # a counsellor's leg of an offer, never a caller's


@bp.post(OFFER_PATH)
@webhook
def offer(hook: Hook):
    """A counsellor's leg of an offer (`o`: the offer's token, `e`: what this request is):
    answered (which line and language, a key to take it), the key (joined to the queue),
    the join's end, and the call's status callback (an offer not taken: skipped a while)."""
    try:
        return _offer(hook)
    except Exception:  # never the callers' safe answer on a counsellor's phone
        log.exception("the offer's request failed; the counsellor's leg is hung up")
        return twiml_response(HANGUP)


HANGUP = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup /></Response>'


def _offer(hook: Hook):
    from ivr.twilio import queueing

    service, config = hook.service, hook.config
    token, event = request.args.get("o", "")[:64], request.args.get("e", "")
    now = service.clock()
    duty = service.store.duty
    shift = duty.offered(token, now=now) if token else None
    where = queueing.split_queue(shift["queue"], config) if shift and shift["queue"] else None
    line = config.lines[where[0]] if where else None
    links = hook.links
    if event == "status":
        if token and duty.declined(token, now=now):
            metrics.OFFERS.labels(where[0] if where else "unknown", "refused").inc()
            service.queue.thread.kick()  # the next counsellor
        elif token and hook.fields.get("CallStatus") == "completed":
            duty.finished(token, now=now)  # in case the join's end never came
        # The leg's record at Twilio (the counsellor's number) goes like a caller's call.
        sid = hook.fields.get("CallSid", "")
        task = service.privacy.call_ended(sid, hook.fields.get("CallStatus", "")[:16])
        if task is not None and CALL_SID.fullmatch(sid):
            service.upkeep.forget_later(*task, STORE_WAIT)
        return twiml_response(EMPTY_TWIML)
    if shift is None or where is None:
        return twiml_response(queueing.gone(config, line))
    if event == "answer":
        return twiml_response(queueing.offer(config, line, where[1], links.offer(token, "take")))
    if event == "take":
        if duty.waiting(shift["queue"], now=now) <= 0 or duty.taken(token, now=now) is None:
            duty.released(token, now=now)
            metrics.OFFERS.labels(line.id, "released").inc()
            return twiml_response(queueing.gone(config, line))
        metrics.OFFERS.labels(line.id, "taken").inc()
        return twiml_response(queueing.join(shift["queue"], links.offer(token, "joined")))
    if event == "joined":
        form = hook.fields
        bridged = form.get("DialBridged", "").lower() == "true" or (
            form.get("DialCallStatus") == "completed" and field_number(form, "DialCallDuration") > 0
        )
        if bridged:
            duty.finished(token, now=now)
            return twiml_response(EMPTY_TWIML)
        duty.released(token, now=now)
        metrics.OFFERS.labels(line.id, "released").inc()
        return twiml_response(queueing.gone(config, line))
    return twiml_response(queueing.gone(config, line))


def recording_sid(form, url: str = "") -> str:
    """The recording's id: its RecordingSid, or the last part of its RecordingUrl."""
    sid = form.get("RecordingSid", "") or url.rstrip("/").rsplit("/", 1)[-1]
    return sid if RECORDING_SID.fullmatch(sid) else re.sub(r"[^A-Za-z0-9]", "", sid)[:64]


def keep_message(hook: Hook, line: str, language: str, url: str, wait: float = STORE_WAIT) -> bool:
    """Writes a message's details ahead (the journal), then asks the database to store them;
    True only once they are durable: the journal's file flushed to disk, or the database's
    commit within `wait` seconds (at least STORE_WAIT when the disk refused it, the database
    being its one place left). What the caller is told comes from this."""
    form = hook.fields
    sid = recording_sid(form, url)
    if not sid:
        return False
    try:
        seconds = int(form.get("RecordingDuration", "0") or 0)
    except ValueError:
        seconds = 0
    message = {
        "line": line,
        "received_at": hook.service.clock(),
        "recording_sid": sid,
        "recording_url": url[:512],
        "duration_seconds": max(0, min(seconds, 86400)),
        "language": language,
        "organisation": organisation_of(hook.config, line),
    }
    upkeep = hook.service.upkeep
    journalled = upkeep.journal.write(message)
    stored = upkeep.store_voicemail(message, wait if journalled else max(wait, STORE_WAIT))
    call = hook.call_sid()
    if stored:
        log.info("call=%s line=%s voicemail %s stored", call, line, sid)
    elif journalled and wait > 0:
        log.warning(
            "call=%s line=%s voicemail %s kept on disk until the database is back", call, line, sid
        )
    elif journalled:  # the database thread stores it in a moment: nothing to say yet
        log.debug("call=%s line=%s voicemail %s written ahead", call, line, sid)
    else:
        metrics.MESSAGES.labels("not kept now").inc()
        if wait == 0:  # the <Record> action (a callback says what becomes of it)
            log.warning(
                "call=%s line=%s voicemail %s not kept now: neither the disk (%s) nor the "
                "database took it; the caller is told so",
                call,
                line,
                sid,
                upkeep.journal.folder,
            )
    return stored or journalled


@bp.post("/voice/recording")
@webhook
def recording_ready(hook: Hook):
    """Twilio's recordingStatusCallback: store the message, with nothing about the caller."""
    form = hook.fields
    if form.get("RecordingStatus", "completed") != "completed":
        return twiml_response(EMPTY_TWIML)
    if not recording_sid(form, form.get("RecordingUrl", "")):
        log.warning("call=%s recording callback naming no recording", hook.call_sid())
        return twiml_response(EMPTY_TWIML)  # nothing to keep, nothing to try again
    state = hook.service.codec.decode(hook.state_token())
    if state is not None and state.line in hook.config.lines:
        line, language = state.line, state.lang
    else:
        # A state we can no longer read still brings a message: the line from the number
        # the caller dialled.
        dialled = hook.dialled_line()
        if dialled is None:
            log.error("call=%s recording callback for no line we know", hook.call_sid())
            return twiml_response(EMPTY_TWIML)
        line, language = dialled.id, dialled.default_language
    if keep_message(hook, line, language, form.get("RecordingUrl", "")):
        return twiml_response(EMPTY_TWIML)
    # Twilio keeps the recording until we delete it, which we do only once its audio is ours.
    return callback_not_taken(
        hook, f"voicemail {recording_sid(form, form.get('RecordingUrl', ''))} kept nowhere now"
    )


@bp.post("/voice/status")
@webhook
def call_status(hook: Hook):
    """The numbers' statusCallback: once a call is over, its record at Twilio (and its
    transfer legs') is deleted a while later (docs/privacy.md). Its CallSid is kept only
    until then."""
    form = hook.fields
    sid = form.get("CallSid", "")
    task = hook.service.privacy.call_ended(sid, form.get("CallStatus", "")[:16])
    if task is None or not CALL_SID.fullmatch(sid):
        return twiml_response(EMPTY_TWIML)
    kind, sid, due_at = task
    if hook.service.upkeep.forget_later(kind, sid, due_at, STORE_WAIT):
        return twiml_response(EMPTY_TWIML)
    # Not queued (the database is away): the sweep of ended calls queues it later.
    return callback_not_taken(hook, "could not queue its record's deletion at Twilio")


@bp.post("/voice/whisper")
@webhook
def whisper(hook: Hook):
    """Played to the counsellor who answers a transfer, before the caller is connected; with
    screening, also the answer to its "press a key to take the call"."""
    state = hook.service.codec.decode(hook.state_token())
    if state is None or state.line not in hook.config.lines:
        # A state we can no longer read (a key or configuration change mid-call): someone
        # answered, and a caller waits; connect them rather than drop the transfer.
        return twiml_response(EMPTY_TWIML)
    service = hook.service
    call_flow = flow.CallFlow(hook.config, service.clock(), service.live.overrides)
    whisper = call_flow.whisper(state)
    return twiml_response(
        service.answers.render(hook.config, whisper, hook.links, trusted=hook.verified)
    )


@bp.get("/audio/<path:path>")
def audio(path: str):
    """Recorded prompts, fetched by Twilio for <Play>. Public: they are what callers hear.
    Only files inside the audio folder, never a link out of it."""
    folder = Path(current_app.extensions["ivr"].live.config.audio_dir).resolve()
    try:
        wanted = (folder / path).resolve(strict=True)
    except (OSError, RuntimeError):
        abort(404)
    if not wanted.is_relative_to(folder) or not wanted.is_file():
        abort(404)
    return send_file(wanted, max_age=3600)


@webhook
def not_found(hook: Hook):
    """A /voice URL we do not have: Twilio only asks for ours, so the caller is helped."""
    return safe_response(hook)


@bp.post("/voice/fallback")
@webhook
def fallback(hook: Hook):
    log.warning(
        "call=%s fallback requested error=%s",
        hook.call_sid(),
        re.sub(r"[^\w-]", "", hook.fields.get("ErrorCode", "-")[:16]),
    )
    return safe_response(hook)
