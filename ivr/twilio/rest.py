"""Twilio's REST API, through twilio-python's Client and an API key: the few things we ask of
it, to forget calls at Twilio and to keep the messages ourselves (docs/privacy.md)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

# twilio-python logs every request's URL and headers at INFO: not what our log is for.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
TIMEOUT = 10  # seconds; a round of the Twilio thread must not hang on a slow answer
NOT_FOUND = 404
NOT_FINISHED = 20009  # "Cannot delete this resource before it is complete"


class TwilioError(RuntimeError):
    """Twilio could not do it now; the text says what it answered. Try again later."""


class NotAtTwilio(TwilioError):
    """Twilio has no such resource (HTTP 404): deleted, never made, or not ready yet."""


@contextmanager
def said_as_twilio_error():
    """What twilio-python or the network raise, as one TwilioError saying what Twilio
    answered (the original is its __cause__)."""
    try:
        yield
    except TwilioRestException as exc:
        raise TwilioError(f"HTTP {exc.status}, code {exc.code}: {exc.msg}"[:300]) from exc
    except (TwilioException, requests.RequestException) as exc:
        raise TwilioError(f"{type(exc).__name__}: {exc}"[:300]) from exc


@dataclass(frozen=True)
class Recording:
    sid: str
    call_sid: str
    created: datetime | None
    duration: int


class TwilioAPI:
    def __init__(self, account_sid: str, api_key: str, api_secret: str, base: str = ""):
        self.account_sid = account_sid
        self.auth = (api_key, api_secret)
        # environment={}: no TWILIO_EDGE or TWILIO_REGION of the machine rewrites the host.
        self.client = Client(
            api_key,
            api_secret,
            account_sid,
            environment={},
            http_client=TwilioHttpClient(timeout=TIMEOUT),
        )
        self.base = (base or "https://api.twilio.com").rstrip("/")
        self.client.api.base_url = self.base

    @classmethod
    def from_settings(cls, settings) -> TwilioAPI | None:
        if not settings.twilio_api:
            return None
        return cls(
            settings.twilio_account_sid,
            settings.twilio_api_key,
            settings.twilio_api_secret,
            settings.twilio_api_base,
        )

    # -- calls ---------------------------------------------------------------------------

    def forget_call(self, sid: str) -> bool:
        """Deletes a call's record and those of its transfer legs; True once none is left,
        False if the call has not finished yet. TwilioError when Twilio fails."""
        with said_as_twilio_error():
            legs = [leg.sid for leg in self.client.calls.list(parent_call_sid=sid, limit=100)]
            for leg in legs:
                if not self._delete(self.client.calls(leg)):
                    return False
            return self._delete(self.client.calls(sid))

    def ended_calls(self, before: datetime, to: set[str]) -> list[str]:
        """The calls made to one of the numbers `to` that ended before `before` and are still
        kept at Twilio (their legs go with them, `forget_call`). Twilio documents `EndTime<`
        with a date (YYYY-MM-DD, UTC) and may honour only that: the day after `before`'s is
        asked for, which takes in every call that ended by `before` either way, and the end
        of each is compared with `before` here, to the second."""
        day_after = (before.astimezone(UTC).date() + timedelta(days=1)).isoformat()
        with said_as_twilio_error():
            found = self.client.calls.list(end_time_before=day_after, limit=1000)
        return [
            call.sid
            for call in found
            if call.to in to
            and not call.parent_call_sid
            and call.end_time is not None
            and call.end_time <= before
        ]

    def call_line(self, call_sid: str, line_by_number: dict):
        """The line a call was made to (its `To`; nothing else of the call is looked at),
        or None when Twilio no longer has it."""
        if not call_sid:
            return None
        try:
            with said_as_twilio_error():
                call = self.client.calls(call_sid).fetch()
        except TwilioError as exc:
            if isinstance(exc.__cause__, TwilioRestException) and exc.__cause__.status == NOT_FOUND:
                return None
            raise
        return line_by_number.get(call.to)

    def place_offer(
        self, to: str, shown: str, url: str, status_callback: str, timeout: int = 20
    ) -> str:
        """Rings a counsellor on duty (`to`) to offer them a waiting call, showing `shown`
        (the line's caller ID, never an 0800 number): Twilio runs the TwiML at `url` when they
        answer, and reports the call's end to `status_callback`. Returns its CallSid.
        https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource"""
        with said_as_twilio_error():
            call = self.client.calls.create(
                to=to,
                from_=shown,
                url=url,
                method="POST",
                status_callback=status_callback,
                status_callback_method="POST",
                status_callback_event=["completed"],
                timeout=timeout,
            )
        return call.sid

    def queue_sizes(self) -> dict[str, int]:
        """The account's queues: how many calls wait in each, by its name (the Queue
        resource's current_size). https://www.twilio.com/docs/voice/api/queue-resource"""
        with said_as_twilio_error():
            return {q.friendly_name: int(q.current_size or 0) for q in self.client.queues.list()}

    # -- recordings ----------------------------------------------------------------------

    def recording_url(self, sid: str) -> str:
        return f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}"

    def forget_recording(self, sid: str) -> bool:
        with said_as_twilio_error():
            return self._delete(self.client.recordings(sid))

    def recording_audio(self, sid: str) -> tuple[bytes, str]:
        """The audio of a recording, as MP3 (twilio-python has no helper for media: a GET of
        its .mp3 with the API key, as Twilio's documentation gives it)."""
        url = f"{self.base}/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}.mp3"
        with said_as_twilio_error():
            answer = requests.get(url, auth=self.auth, timeout=TIMEOUT)
        if answer.status_code == NOT_FOUND:
            raise NotAtTwilio(f"HTTP 404 for the audio of {sid}: Twilio has no such recording")
        if answer.status_code != 200:
            raise TwilioError(f"HTTP {answer.status_code} for the audio of {sid}")
        return answer.content, answer.headers.get("Content-Type", "audio/mpeg").split(";")[0]

    def recordings(self, since: datetime) -> list[Recording]:
        """The account's recordings made since `since` (and maybe a day more)."""
        # A date, as Twilio documents `DateCreated>`: the day before `since`'s, so that no
        # recording made since `since` is left out, however the date is read.
        day_before = (since.astimezone(UTC).date() - timedelta(days=1)).isoformat()
        with said_as_twilio_error():
            found = self.client.recordings.list(date_created_after=day_before, limit=1000)
        return [
            Recording(r.sid, r.call_sid or "", r.date_created, int(r.duration or 0)) for r in found
        ]

    @staticmethod
    def _delete(resource) -> bool:
        try:
            resource.delete()
        except TwilioRestException as exc:
            if exc.status == NOT_FOUND:
                return True  # gone already: what we wanted
            if exc.code == NOT_FINISHED:
                return False
            raise
        return True
