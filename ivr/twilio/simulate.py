"""A phone call played against the app exactly as Twilio drives it: signed POSTs to the same
webhooks, TwiML followed verb by verb. Used by `ivr call` and by the tests."""

from __future__ import annotations

import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from ivr.twilio import platform


class SimulationError(AssertionError):
    """Twilio would have failed on what the app answered."""


def check(condition, message: str) -> None:
    if not condition:
        raise SimulationError(message)


class HttpResponse:
    def __init__(self, status: int, content_type: str, body: bytes):
        self.status_code = status
        self.mimetype = content_type.split(";")[0].strip()
        self.data = body

    def get_data(self, as_text: bool = False):
        return self.data.decode("utf-8") if as_text else self.data


class HttpClient:
    """Drives running servers over HTTP, as Twilio does. `route` may send each request to
    another server (a load balancer in front of several instances)."""

    def __init__(self, route=None, timeout: float = 10):
        self.route = route or (lambda url: url)
        self.timeout = timeout

    def post(self, url, data=b"", content_type="", headers=None):
        body = data.encode() if isinstance(data, str) else data
        request = urllib.request.Request(
            self.route(url), data=body, headers=dict(headers or {}), method="POST"
        )
        request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return HttpResponse(
                    response.status, response.headers.get("Content-Type", ""), response.read()
                )
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, error.headers.get("Content-Type", ""), error.read())


@dataclass
class Turn:
    """What the caller met in one stretch of the call, up to where it waits."""

    heard: list[str] = field(default_factory=list)
    waiting: ET.Element | None = None  # the Gather, Dial or Record that Twilio waits on
    rest: list[ET.Element] = field(default_factory=list)  # verbs after it, for silence
    dialled: list[str] = field(default_factory=list)  # the numbers rung, however reached
    targets: list[ET.Element] = field(default_factory=list)  # the <Number>s and <Sip>s
    counsellor_heard: list[str] = field(default_factory=list)  # whisper and screening
    hung_up: bool = False
    documents: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.heard)

    @property
    def kind(self) -> str | None:
        return None if self.waiting is None else self.waiting.tag


def number_reached(target: ET.Element) -> str:
    """The number a <Number> or <Sip> of a <Dial> rings: `107` for `sip:107@carrier`."""
    text = (target.text or "").strip()
    if target.tag == "Sip":
        return text.removeprefix("sip:").split("@", 1)[0]
    return text


def is_trunked(target: ET.Element) -> bool:
    """Whether a <Dial> target goes through a carrier's trunk (SIP or BYOC)."""
    return target.tag == "Sip" or target.get("byoc") is not None


class Twilio:
    """Twilio's side of one call: signed requests to our webhooks, and the TwiML they answer
    checked and followed verb by verb, as Twilio would."""

    def __init__(
        self,
        app,
        to: str,
        *,
        token: str,
        caller: str | None = "anonymous",
        sid: str = "CA" + "0" * 31 + "1",
        base_url: str = "http://localhost",
        shared_key: tuple[str, str, str] | None = None,
    ):
        """`token` signs as Twilio does by default; `shared_key` (its id, its secret and an
        algorithm) as Twilio does for a URL that a Webhook Setting with a SharedKey covers."""
        self.base_url = base_url
        self.shared_key = shared_key
        self.app = app
        # A Flask app is driven through its test client; an HttpClient drives real servers.
        self.client = app if isinstance(app, HttpClient) else app.test_client()
        self.validator = RequestValidator(shared_key[1] if shared_key else token)
        self.params = {
            "CallSid": sid,
            "AccountSid": "AC00000000000000000000000000000000",
            "From": caller,
            "Caller": caller,
            "To": to,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }
        if caller is None:
            del self.params["From"], self.params["Caller"]
        self.turn: Turn | None = None
        self.redirects = 0
        self.signs_fragment = False  # sign our URLs with their #fragment (Twilio does not)

    def post(self, url: str, extra: dict | None = None):
        params = dict(self.params, **(extra or {}))
        url, _, fragment = url.partition("#")  # connection overrides: never sent
        if not url.startswith("http"):
            url = self.base_url + url
        # Twilio documents that it signs without the fragment; `signs_fragment` tries the other.
        signed = f"{url}#{fragment}" if fragment and self.signs_fragment else url
        headers = {}
        algorithm = None
        if self.shared_key:
            key_id, _, algorithm = self.shared_key
            headers["X-Twilio-Webhooks-Signature-Settings"] = f"key={key_id},algorithm={algorithm}"
        headers["X-Twilio-Signature"] = self.validator.compute_signature(signed, params, algorithm)
        return self.client.post(
            url,
            data=urlencode(params),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )

    def request(self, url: str, extra: dict | None = None) -> ET.Element:
        response = self.post(url, extra)
        check(response.status_code == 200, f"HTTP {response.status_code} for {url}")
        check(response.mimetype in ("text/xml", "application/xml"), "not an XML answer")
        body = response.get_data(as_text=True)
        check(body.startswith("<?xml"), f"not a TwiML document: {body[:80]}")
        root = ET.fromstring(body)
        check(root.tag == "Response", "the root element is not <Response>")
        verbs = list(root)
        for index, verb in enumerate(verbs):
            if verb.tag in ("Gather", "Record"):
                # Twilio goes on with the next verb on silence: there must be one.
                check(index + 1 < len(verbs), f"nothing handles silence after {verb.tag}")
            if verb.tag == "Dial":
                caller_id = verb.get("callerId")
                check(caller_id, "a Dial without callerId shows the caller's number")
                # Twilio's guidelines for Belgium: no call it places to the phone network
                # (a <Number> not through BYOC) from a Belgian toll-free or national number.
                if any(t.tag == "Number" and t.get("byoc") is None for t in verb):
                    check(
                        platform.shows(caller_id),
                        f"Twilio places no call from {caller_id}, a Belgian toll-free or "
                        "national number: this transfer would fail",
                    )
        self.turn.documents.append(body)
        self.on_document(root)
        return root

    def on_document(self, root: ET.Element) -> None:
        """Called with every TwiML document Twilio would receive; for transcripts."""

    def follow(self, verbs: list[ET.Element]) -> Turn:
        for index, verb in enumerate(verbs):
            if verb.tag == "Say":
                self.turn.heard.append(verb.text or "")
            elif verb.tag == "Play":
                self.turn.heard.append(f"[recording {verb.text}]")
            elif verb.tag == "Pause":
                continue
            elif verb.tag == "Enqueue":
                # Into Twilio's queue: the wait documents play until a counsellor takes the
                # call, the caller leaves (a key, max_wait) or hangs up (`Call.wait`...).
                self.turn.waiting = verb
                self.turn.rest = verbs[index + 1 :]
                self._enqueued(verb)
                return self.turn
            elif verb.tag in ("Gather", "Dial", "Record"):
                if verb.tag == "Gather":
                    self.turn.heard += [
                        say.text if say.tag == "Say" else f"[recording {say.text}]"
                        for say in verb
                        if say.tag in ("Say", "Play")
                    ]
                if verb.tag == "Dial":
                    self.turn.targets += list(verb)
                    self.turn.dialled += [number_reached(n) for n in verb]
                    if not verb.get("action"):
                        # Without an action Twilio goes on with the next verb when it ends.
                        continue
                self.turn.waiting = verb
                self.turn.rest = verbs[index + 1 :]
                return self.turn
            elif verb.tag == "Redirect":
                self.redirects += 1
                check(self.redirects <= 10, "more than 10 redirects in a row (error 11215)")
                return self.follow(list(self.request(verb.text)))
            elif verb.tag == "Hangup":
                self.turn.hung_up = True
                return self.turn
            else:
                raise SimulationError(f"unexpected verb {verb.tag}")
        # Twilio ends the call when the document runs out.
        self.turn.hung_up = True
        return self.turn

    def _new_turn(self) -> Turn:
        self.turn = Turn()
        self.redirects = 0
        return self.turn

    def leg_document(self, url: str, extra: dict) -> ET.Element:
        """A document Twilio runs on the answering phone's leg, which may only hold <Say>,
        <Play>, <Gather> and <Hangup> (Twilio's <Number url> documentation)."""
        response = self.post(url, extra)
        check(response.status_code == 200, f"HTTP {response.status_code} for {url}")
        root = ET.fromstring(response.get_data(as_text=True))
        for verb in root:
            check(verb.tag in ("Say", "Play", "Gather", "Hangup"), f"{verb.tag} in a whisper")
        return root


# What Twilio runs in a wait document (its waitUrl) and on a counsellor's leg of an offer.
WAIT_VERBS = ("Say", "Play", "Pause", "Gather", "Hangup", "Redirect", "Leave")
LEG_VERBS = ("Say", "Play", "Pause", "Gather", "Hangup", "Dial")


class Call(Twilio):
    """One phone call, followed the way Twilio would follow our TwiML: what the caller does,
    and how the transfers they reach end. With `exchange` (the REST stand-in), `<Enqueue>`
    puts it in the stand-in's queue, where a `Counsellor` leg can take it."""

    exchange = None
    queue: str | None = None
    queue_time = 0
    average_wait = 0
    wait_gather: ET.Element | None = None
    wait_heard: list[str] | None = None
    joined_to = None

    def _enqueued(self, verb: ET.Element) -> None:
        self.queue = (verb.text or "").strip()
        check(self.queue and len(self.queue) <= 64, "a queue's name is 1 to 64 characters")
        check(verb.get("waitUrl") and verb.get("action"), "an Enqueue without waitUrl or action")
        self.queue_time = 0
        if self.exchange is not None:
            self.exchange.enqueue(self.queue, self)
        self.wait_heard = []
        self._wait_document(self.turn.waiting.get("waitUrl"))

    @property
    def waiting_in_queue(self) -> bool:
        return self.turn is not None and self.turn.kind == "Enqueue" and self.joined_to is None

    def _queue_fields(self) -> dict:
        position, size = (1, 1)
        if self.exchange is not None:
            position, size = self.exchange.position(self.queue, self)
        return {
            "QueueSid": "QU" + "0" * 32,
            "QueuePosition": str(position),
            "CurrentQueueSize": str(size),
            "QueueTime": str(self.queue_time),
            "AvgQueueTime": str(self.average_wait),
        }

    def _wait_document(self, url: str, extra: dict | None = None) -> Turn:
        """Twilio's request of the wait URL (or a Gather's action in it), and what it says."""
        response = self.post(url, {**self._queue_fields(), **(extra or {})})
        check(response.status_code == 200, f"HTTP {response.status_code} for a wait document")
        body = response.get_data(as_text=True)
        root = ET.fromstring(body)
        check(root.tag == "Response", "the root element is not <Response>")
        self.turn.documents.append(body)
        self.wait_gather = None
        heard = []
        for verb in root:
            check(verb.tag in WAIT_VERBS, f"{verb.tag} in a wait document (Twilio refuses it)")
            if verb.tag == "Say":
                heard.append(verb.text or "")
            if verb.tag == "Gather":
                heard += [say.text or "" for say in verb if say.tag == "Say"]
                self.wait_gather = verb
            if verb.tag == "Leave":
                self.wait_heard = heard
                return self._left("leave")
        self.wait_heard = heard
        self.turn.heard += heard
        return self.turn

    def wait(self, seconds: int = 30) -> Turn:
        """`seconds` more in the queue: Twilio asks for the wait document again."""
        check(self.waiting_in_queue, "the caller is not waiting in a queue")
        self.queue_time += seconds
        return self._wait_document(self.turn.waiting.get("waitUrl"))

    def press_waiting(self, digits: str) -> Turn:
        """A key pressed during a wait document's Gather: the first document asking for keys
        (one that says 112 and 101 asks for none), as a caller who waits for them."""
        for _ in range(3):
            if not self.waiting_in_queue or self.wait_gather is not None:
                break
            self.wait(25)
        check(self.waiting_in_queue and self.wait_gather is not None, "no key is asked for")
        return self._wait_document(self.wait_gather.get("action"), {"Digits": digits})

    def hang_up_waiting(self) -> Turn:
        check(self.waiting_in_queue, "the caller is not waiting in a queue")
        return self._left("hangup")

    def _left(self, result: str) -> Turn:
        """Out of the queue: Twilio requests the `<Enqueue>`'s action with its QueueResult."""
        enqueue = self.turn.waiting
        if self.exchange is not None:
            self.exchange.leave(self.queue, self)
        self._new_turn()
        extra = {"QueueResult": result, "QueueTime": str(self.queue_time)}
        return self.follow(list(self.request(enqueue.get("action"), extra)))

    def bridge_ended(self, seconds: int = 60) -> Turn:
        """The counsellor this caller was joined to hung up: the `<Enqueue>`'s action."""
        check(self.joined_to is not None, "the caller was not joined to anyone")
        self.joined_to = None
        return self._left("bridged")

    def start(self) -> Turn:
        self._new_turn()
        return self.follow(list(self.request("/voice")))

    def press(self, digits: str, exactly: bool = False) -> Turn:
        """As Twilio: the finishing key ('#' unless the Gather says) ends the input and is
        not sent; that key alone sends nothing and the TwiML goes on as after silence. With
        `exactly` (or for ''), `Digits` is sent as given, as a hand-made request may."""
        gather = self._expect("Gather")
        finish = gather.get("finishOnKey", "#")
        if finish and finish in digits and not exactly:
            digits = digits[: digits.index(finish)]
            if not digits and gather.get("actionOnEmptyResult") != "true":
                return self.silence()
        self._new_turn()
        return self.follow(list(self.request(gather.get("action"), {"Digits": digits})))

    def silence(self) -> Turn:
        self._expect("Gather")
        rest = self.turn.rest
        self._new_turn()
        return self.follow(rest)

    def dial_ends(
        self, status: str, duration: int = 0, bridged: bool | None = None, hung_up: bool = False
    ) -> Turn:
        """The transfer ends as Twilio reports it: `DialCallStatus`, and `DialBridged`, by
        default true when the status says someone answered; with `hung_up`, the caller hung
        up while it rang (the call's own status then "completed")."""
        dial = self._expect("Dial")
        if not isinstance(self.app, HttpClient):
            config = self.app.extensions["ivr"].config
            ours = {*config.line_by_number, *(line.caller_id for line in config.lines.values())}
            ours.update(r.trunk.caller_id for r in config.routes.values() if r.trunk)
            check(
                dial.get("callerId") in ours,
                "a transfer shows neither the line's own number nor a caller ID it names",
            )
        if bridged is None:
            bridged = status in ("completed", "answered")
        self._new_turn()
        extra = {
            "DialCallStatus": status,
            "DialCallDuration": str(duration),
            "DialBridged": "true" if bridged else "false",
        }
        if hung_up:
            extra["CallStatus"] = "completed"
        return self.follow(list(self.request(dial.get("action"), extra)))

    def counsellor_answers(self, press: str | None = "1", phone: int = 0) -> Turn:
        """The phone `phone` of the transfer is answered: whoever picks up hears the whisper
        and, when the call is screened, presses `press` (None: nothing, as a voicemail
        would). The transfer then ends as Twilio reports it: bridged when the screening
        document ran to its end, not bridged when it hung up on them."""
        dial = self._expect("Dial")
        target = list(dial)[phone]
        heard: list[str] = []
        bridged = True
        url = target.get("url")
        if url:
            document = self.leg_document(url, {})
            heard += [s.text or "" for s in document.iter("Say")]
            gather = document.find("Gather")
            if gather is not None:
                if press:
                    after = self.leg_document(gather.get("action"), {"Digits": press})
                    heard += [s.text or "" for s in after.iter("Say")]
                    bridged = after.find("Hangup") is None
                else:
                    rest = list(document)[list(document).index(gather) + 1 :]
                    bridged = not any(verb.tag == "Hangup" for verb in rest)
            else:
                bridged = document.find("Hangup") is None
        turn = self.dial_ends("completed", duration=60 if bridged else 8, bridged=bridged)
        turn.counsellor_heard = heard
        return turn

    def leave_message(
        self,
        seconds: int = 20,
        sid: str = "RE00000000000000000001",
        callback: bool = True,
        trial: bool = False,
    ) -> Turn:
        """Records a message; with `callback`, also sends Twilio's recording callback. Both it
        and the `<Record>` action store the message; a `trial` (`ivr call`) sends neither
        the callback nor the recording's details, and nothing is kept."""
        record = self._expect("Record")
        url = f"https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/{sid}"
        callback = record.get("recordingStatusCallback") if callback and not trial else None
        fields = {"Digits": "#"}
        if not trial:
            fields.update(RecordingUrl=url, RecordingDuration=str(seconds))
        self._new_turn()
        turn = self.follow(list(self.request(record.get("action"), fields)))
        if callback:
            response = self.post(
                callback,
                {
                    "RecordingSid": sid,
                    "RecordingUrl": url,
                    "RecordingStatus": "completed",
                    "RecordingDuration": str(seconds),
                },
            )
            check(response.status_code == 200, "the recording callback failed")
        return turn

    def record_nothing(self) -> Turn:
        self._expect("Record")
        rest = self.turn.rest
        self._new_turn()
        return self.follow(rest)

    def _expect(self, tag: str) -> ET.Element:
        check(self.turn is not None and self.turn.waiting is not None, "the call is not waiting")
        check(self.turn.waiting.tag == tag, f"waiting on {self.turn.waiting.tag}, not {tag}")
        return self.turn.waiting


class Counsellor(Twilio):
    """A counsellor's phone rung by the router through the REST stand-in (Calls.create), as
    Twilio runs it: answered (or not), a key pressed (or not), joined by `<Dial><Queue>` to
    the first caller waiting in the stand-in's queue, then hung up."""

    def __init__(self, app, placed: dict, exchange, *, token: str, sid: str | None = None):
        super().__init__(app, placed["To"], token=token, caller=placed["From"], sid=placed["Sid"])
        self.params["Direction"] = "outbound-api"
        self.placed = placed
        self.exchange = exchange
        self.heard: list[str] = []
        self.caller: Call | None = None
        self.dial: ET.Element | None = None
        self._new_turn()

    def _document(self, url: str, extra: dict | None = None) -> ET.Element:
        response = self.post(url, extra)
        check(response.status_code == 200, f"HTTP {response.status_code} for {url}")
        root = ET.fromstring(response.get_data(as_text=True))
        for verb in root:
            check(verb.tag in LEG_VERBS, f"{verb.tag} on a counsellor's leg")
        self.heard += [say.text or "" for say in root.iter("Say")]
        return root

    def answers(self, press: str | None = "1") -> Counsellor:
        """Picks up; with `press`, takes the call (None: as a voicemail, presses nothing)."""
        root = self._document(self.placed["Url"])
        gather = root.find("Gather")
        if gather is None or press is None:
            return self._ended("completed")
        root = self._document(gather.get("action"), {"Digits": press})
        dial = root.find("Dial")
        if dial is None:
            return self._ended("completed")
        queue = dial.find("Queue")
        check(queue is not None, "a counsellor's Dial without a Queue")
        self.dial = dial
        self.caller = self.exchange.dequeue((queue.text or "").strip())
        if self.caller is None:  # an empty queue: the Dial's timeout, then its action
            after = self._document(
                dial.get("action"), {"DialCallStatus": "no-answer", "DialBridged": "false"}
            )
            check(after.find("Dial") is None, "a counsellor dialled again")
            return self._ended("completed")
        self.caller.joined_to = self
        return self

    def refuses(self, status: str = "no-answer") -> Counsellor:
        """Does not pick up (no-answer), is busy, or the call fails."""
        return self._ended(status)

    def hangs_up(self, seconds: int = 60) -> Turn:
        """Ends the conversation: the Dial's action, then the caller's `<Enqueue>` action."""
        check(self.caller is not None and self.dial is not None, "not joined to a caller")
        self._document(
            self.dial.get("action"),
            {
                "DialCallStatus": "completed",
                "DialBridged": "true",
                "DialCallDuration": str(seconds),
            },
        )
        caller, self.caller = self.caller, None
        self._ended("completed")
        return caller.bridge_ended(seconds)

    def _ended(self, status: str) -> Counsellor:
        callback = self.placed.get("StatusCallback")
        if callback:
            response = self.post(callback, {"CallStatus": status})
            check(response.status_code == 200, "the offer's status callback failed")
        return self
