"""A local stand-in for the few resources of Twilio's REST API the router uses (calls, their
legs, recordings and their audio, deletions), answering in Twilio's own JSON shapes, on
loopback, for the tests. It can be told to fail (for one resource or all of a kind), to read
the list filters `EndTime<` and `DateCreated>` only to the day (as Twilio documents them:
YYYY-MM-DD), and it keeps what it was sent.

It has no Alerts resource (monitor.twilio.com/v1/Alerts): Twilio documents no way to delete
an alert (docs/privacy.md), so the router never asks."""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROOT = re.compile(
    r"^/2010-04-01/Accounts/(AC\w+)/(Calls|Recordings|Queues)(?:/(\w+))?(\.json|\.mp3|\.wav)$"
)


@dataclass
class Failure:
    method: str
    kind: str  # Calls, Recordings
    status: int
    code: int
    times: int
    sid: str | None = None  # only requests for this resource (else any of its kind)


@dataclass
class Sent:
    method: str
    path: str
    body: str
    headers: dict = field(default_factory=dict)


class TwilioStandIn:
    def __init__(self, account_sid: str, api_key: str, api_secret: str, dates_only: bool = False):
        """With `dates_only`, the list filters are read as dates, the strictest way: a call
        ended before the date `EndTime<` names, a recording made after `DateCreated>`'s."""
        self.account_sid = account_sid
        self.dates_only = dates_only
        self.credentials = base64.b64encode(f"{api_key}:{api_secret}".encode()).decode()
        self.calls: dict[str, dict] = {}
        self.recordings: dict[str, dict] = {}
        self.audio: dict[str, bytes] = {}
        self.failures: list[Failure] = []
        # Twilio's queues (issue 21): the calls `<Enqueue>`d in each, by name, first in line
        # first (the simulator's calls put themselves there, `ivr.twilio.simulate`); and the
        # calls the router placed (Calls.create: a counsellor's leg of an offer), in order.
        self.queues: dict[str, list] = {}
        self.placed: list[dict] = []
        self.sent: list[Sent] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- what the test sets up -------------------------------------------------------------

    def add_call(
        self,
        sid: str,
        *,
        parent: str | None = None,
        status: str = "completed",
        caller: str = "+32470000000",
        to: str = "+3220000100",
        ended: datetime | None = None,
    ) -> None:
        finished = status not in ("queued", "ringing", "in-progress")
        ended = ended or (datetime.now(UTC) if finished else None)
        self.calls[sid] = {
            "end_time": format_datetime(ended, usegmt=True) if ended else None,
            "sid": sid,
            "account_sid": self.account_sid,
            "parent_call_sid": parent,
            "status": status,
            "from": caller,
            "to": to,
            "direction": "outbound-dial" if parent else "inbound",
            "date_created": format_datetime(datetime.now(UTC), usegmt=True),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
        }

    def add_recording(
        self, sid: str, call_sid: str, audio: bytes, created: datetime, duration: int = 30
    ) -> None:
        self.recordings[sid] = {
            "sid": sid,
            "account_sid": self.account_sid,
            "call_sid": call_sid,
            "duration": str(duration),
            "status": "completed",
            "date_created": format_datetime(created.astimezone(UTC), usegmt=True),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}.json",
        }
        self.audio[sid] = audio

    def fail(
        self, method: str, kind: str, status: int, code: int, times: int = 1, sid: str = ""
    ) -> None:
        """The next `times` requests `method` on `kind` (Calls, Recordings), or only on its
        resource `sid`, fail so."""
        self.failures.append(Failure(method, kind, status, code, times, sid or None))

    # -- queues ---------------------------------------------------------------------------

    def enqueue(self, name: str, call) -> None:
        with self.lock:
            self.queues.setdefault(name, []).append(call)

    def dequeue(self, name: str):
        """The first call waiting in `name`, out of it (`<Dial><Queue>`); None when empty."""
        with self.lock:
            waiting = self.queues.get(name) or []
            return waiting.pop(0) if waiting else None

    def leave(self, name: str, call) -> None:
        with self.lock:
            if call in self.queues.get(name, []):
                self.queues[name].remove(call)

    def position(self, name: str, call) -> tuple[int, int]:
        """A call's place in its queue (from 1) and the queue's size."""
        with self.lock:
            waiting = self.queues.get(name, [])
            return (waiting.index(call) + 1 if call in waiting else 0), len(waiting)

    def deleted(self, kind: str) -> list[str]:
        return [
            ROOT.match(s.path.split("?")[0]).group(3)
            for s in self.sent
            if s.method == "DELETE" and f"/{kind}/" in s.path
        ]

    # -- the HTTP side -----------------------------------------------------------------------

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                serve(standin, self, "GET")

            def do_DELETE(self):
                serve(standin, self, "DELETE")

            def do_POST(self):
                serve(standin, self, "POST")

        return Handler


def serve(standin: TwilioStandIn, request, method: str) -> None:
    """One request to the stand-in, answered as Twilio would."""
    length = int(request.headers.get("Content-Length") or 0)
    body = request.rfile.read(length).decode() if length else ""
    with standin.lock:
        standin.sent.append(Sent(method, request.path, body, dict(request.headers)))
    if request.headers.get("Authorization") != f"Basic {standin.credentials}":
        return answer_json(
            request,
            401,
            {
                "code": 20003,
                "message": "Authenticate",
                "more_info": "https://www.twilio.com/docs/errors/20003",
                "status": 401,
            },
        )
    url = urlsplit(request.path)
    match = ROOT.match(url.path)
    if not match or match.group(1) != standin.account_sid:
        return answer_error(request, 404, 20404)
    kind, sid, suffix = match.group(2), match.group(3), match.group(4)
    with standin.lock:
        for failure in standin.failures:
            if failure.sid is not None and failure.sid != sid:
                continue
            if failure.method == method and failure.kind == kind and failure.times > 0:
                failure.times -= 1
                return answer_error(request, failure.status, failure.code)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    if kind == "Calls" and sid is None and method == "POST":
        return create_call(standin, request, {k: v[0] for k, v in parse_qs(body).items()})
    if kind == "Queues":
        return list_queues(standin, request)
    table = standin.calls if kind == "Calls" else standin.recordings
    if sid is None and method == "GET":
        items = list(table.values())
        if "ParentCallSid" in query:
            items = [c for c in items if c.get("parent_call_sid") == query["ParentCallSid"]]
        if "EndTime<" in query:
            before = moment(query["EndTime<"])
            ended = [i for i in items if i.get("end_time")]
            if standin.dates_only:
                items = [i for i in ended if day(i["end_time"]) < before.date()]
            else:
                items = [i for i in ended if parsedate_to_datetime(i["end_time"]) <= before]
        if "DateCreated>" in query:
            since = moment(query["DateCreated>"])
            if standin.dates_only:
                items = [i for i in items if day(i["date_created"]) > since.date()]
            else:
                items = [i for i in items if parsedate_to_datetime(i["date_created"]) >= since]
        key = "calls" if kind == "Calls" else "recordings"
        uri = f"/2010-04-01/Accounts/{standin.account_sid}/{kind}.json"
        return answer_json(
            request,
            200,
            {
                key: items,
                "page": 0,
                "page_size": 50,
                "uri": uri,
                "first_page_uri": uri,
                "next_page_uri": None,
                "previous_page_uri": None,
                "start": 0,
                "end": max(len(items) - 1, 0),
            },
        )
    if sid not in table:
        return answer_error(request, 404, 20404)
    if method == "DELETE":
        if kind == "Calls" and table[sid]["status"] in ("queued", "ringing", "in-progress"):
            return answer_error(request, 422, 20009)
        with standin.lock:
            del table[sid]
        request.send_response(204)
        request.end_headers()
        return None
    if suffix in (".mp3", ".wav"):
        data = standin.audio[sid]
        request.send_response(200)
        request.send_header("Content-Type", "audio/mpeg" if suffix == ".mp3" else "audio/x-wav")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)
        return None
    return answer_json(request, 200, table[sid])


def create_call(standin: TwilioStandIn, request, form: dict) -> None:
    """Calls.create: a call the router places (a counsellor's leg of an offer), kept for the
    test to answer (`ivr.twilio.simulate.Counsellor`), its TwiML at `Url`."""
    if not form.get("To") or not form.get("From") or not form.get("Url"):
        return answer_error(request, 400, 21201)
    with standin.lock:
        sid = "CA" + "f" * 8 + f"{len(standin.placed) + 1:024x}"  # apart from the tests' own
        standin.add_call(sid, status="queued", caller=form["From"], to=form["To"])
        call = dict(standin.calls[sid], direction="outbound-api")
        standin.calls[sid] = call
        standin.placed.append({**form, "Sid": sid})
    return answer_json(request, 201, call)


def list_queues(standin: TwilioStandIn, request) -> None:
    """The Queue resource's list: each queue's name and how many wait in it."""
    uri = f"/2010-04-01/Accounts/{standin.account_sid}/Queues.json"
    with standin.lock:
        queues = [
            {
                "sid": "QU" + f"{n:032x}",
                "account_sid": standin.account_sid,
                "friendly_name": name,
                "current_size": len(calls),
                "average_wait_time": 0,
                "max_size": 1000,
            }
            for n, (name, calls) in enumerate(standin.queues.items())
        ]
    return answer_json(
        request,
        200,
        {
            "queues": queues,
            "page": 0,
            "page_size": 50,
            "uri": uri,
            "first_page_uri": uri,
            "next_page_uri": None,
            "previous_page_uri": None,
            "start": 0,
            "end": max(len(queues) - 1, 0),
        },
    )


def moment(text: str) -> datetime:
    """A filter's value: a date (YYYY-MM-DD, midnight UTC) or a moment (twilio-python's)."""
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def day(rfc2822: str):
    """The UTC date of one of Twilio's RFC 2822 times."""
    return parsedate_to_datetime(rfc2822).astimezone(UTC).date()


def answer_json(request, status: int, payload: dict) -> None:
    data = json.dumps(payload).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


def answer_error(request, status: int, code: int) -> None:
    messages = {
        20404: "The requested resource was not found",
        20009: "Cannot delete this resource before it is complete",
        21201: "No 'To', 'From' or 'Url' number is specified",
    }
    return answer_json(
        request,
        status,
        {
            "code": code,
            "message": messages.get(code, "Service unavailable"),
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )
