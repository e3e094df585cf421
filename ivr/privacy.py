"""What is kept at Twilio goes, and what callers leave comes to us: a thread of each worker's
own deletes the records of finished calls at Twilio (a while after they end), takes in each
message's audio (sealed) and deletes the recording there, purges messages whose time is up,
and now and then looks for recordings at Twilio we do not have. Each task is claimed in the
database, so that workers and instances share it without doing anything twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ivr import metrics
from ivr.background import Periodic
from ivr.sealed import Seal
from ivr.store.forget import CALL, RECORDING
from ivr.twilio_api import TwilioAPI, TwilioError

log = logging.getLogger("ivr.privacy")
# A task that fails is tried again after 1, 2, 4 ... minutes, at most an hour apart.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
RECONCILE_EVERY = timedelta(minutes=15)
RECONCILE_SINCE = timedelta(days=30)
# A recording younger than this is left to its callback, which comes within seconds.
RECONCILE_AFTER = timedelta(minutes=10)
UNKNOWN_LINE = "unknown"
# Twilio's final call statuses: the call is over, its record can go.
FINISHED = {"completed", "busy", "failed", "no-answer", "canceled"}


def retry_after(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** min(attempts, 10), LONGEST_RETRY)


class TwilioWork:
    def __init__(self, settings, store, live, clock, api: TwilioAPI | None = None):
        self.store = store
        self.live = live
        self.clock = clock
        self.api = api
        self.seal = Seal(settings.message_keys)
        self.forget_after = timedelta(seconds=settings.forget_after_seconds)
        self._reconciled_at: datetime | None = None
        self.thread = Periodic(
            "ivr-twilio",
            settings.twilio_seconds,
            self.round,
            failing="could not finish the work at Twilio (deletions, messages); tried again",
            first_at_once=False,
        )

    def call_ended(self, call_sid: str, status: str) -> tuple[str, str, datetime] | None:
        """What to queue when Twilio reports a call's end (its statusCallback): its record
        and its legs' are deleted `forget_after` later. None when there is nothing to do."""
        if self.api is None or status not in FINISHED:
            return None
        return CALL, call_sid, self.clock() + self.forget_after

    # -- the thread ------------------------------------------------------------------------

    def round(self) -> None:
        now = self.clock()
        if self.api is not None:
            self.take_in_audio(now)
            self.forget_due(now)
            if self._reconciled_at is None or now - self._reconciled_at >= RECONCILE_EVERY:
                self.reconcile(now)
        self.purge(now)

    def take_in_audio(self, now: datetime) -> int:
        """Fetches, seals and keeps the audio of messages we have only the details of; each
        recording is then deleted at Twilio."""
        if self.seal.fernet is None:
            return 0  # no key: the audio stays at Twilio (ivr check says so)
        taken = 0
        for message in self.store.recordings.without_audio():
            audio, kind = self.api.recording_audio(message["recording_sid"])
            sealed = self.seal.close(audio)
            if self.store.recordings.keep_audio(message["id"], sealed, kind, now):
                taken += 1
                metrics.MESSAGES.labels("audio kept").inc()
            self.store.forget.add(RECORDING, message["recording_sid"], due_at=now, now=now)
        return taken

    def forget_due(self, now: datetime) -> int:
        done = 0
        for task in self.store.forget.claim(now):
            try:
                if task["kind"] == CALL:
                    finished = self.api.forget_call(task["sid"])
                else:
                    finished = self.api.forget_recording(task["sid"])
                    if finished:
                        self.store.recordings.deleted_at_twilio(task["sid"], now)
            except TwilioError as exc:
                self._again(task, now, str(exc))
                continue
            if finished:
                self.store.forget.done(task["id"])
                metrics.FORGOTTEN.labels(task["kind"], "deleted").inc()
                done += 1
            else:
                self._again(task, now, "not finished yet (Twilio error 20009)")
        return done

    def _again(self, task: dict, now: datetime, why: str) -> None:
        self.store.forget.failed(task["id"], why, now + retry_after(task["attempts"]))
        metrics.FORGOTTEN.labels(task["kind"], "tried again").inc()
        if task["attempts"] in (0, 5, 10):  # said now and then, not at every try
            log.warning(
                "deleting a %s at Twilio failed (%d tries): %s",
                task["kind"],
                task["attempts"] + 1,
                why,
            )

    def purge(self, now: datetime) -> int:
        lines = self.live.config.lines

        def retention(line_id: str) -> tuple[int, int]:
            line = lines.get(line_id)
            kept = line.retention if line else None
            return (kept.days_after_done, kept.days_at_most) if kept else (30, 90)

        gone = self.store.recordings.purge(now, retention)
        for message in gone:
            metrics.MESSAGES.labels("purged").inc()
            if message["deleted_at_twilio"] is None and self.api is not None:
                self.store.forget.add(RECORDING, message["recording_sid"], due_at=now, now=now)
        return len(gone)

    def sweep_calls(self, now: datetime) -> int:
        """Queues the deletion of our lines' calls that ended long enough ago and are still
        at Twilio: those whose end Twilio never reported to us (a statusCallback lost, or
        not set on a number), which would otherwise keep the caller's number for good."""
        config = self.live.config
        ours = set(config.line_by_number)
        if config.phone_console is not None:
            ours |= set(config.phone_console.numbers)
        queued = 0
        for sid in self.api.ended_calls(now - self.forget_after, ours):
            if self.store.forget.add(CALL, sid, due_at=now, now=now):
                queued += 1
        if queued:
            log.warning("%d ended call(s) at Twilio had not been queued for deletion", queued)
        return queued

    def reconcile(self, now: datetime) -> int:
        """Takes in the recordings at Twilio that we have not got: the last line of defence
        behind the journal. Each is stored once (its id is unique). Calls whose end we were
        never told of are queued for deletion too (`sweep_calls`)."""
        self._reconciled_at = now
        self.sweep_calls(now)
        known = self.store.messages.recording_sids()
        taken = 0
        for recording in self.api.recordings(now - RECONCILE_SINCE):
            young = recording.created is not None and now - recording.created < RECONCILE_AFTER
            if recording.sid in known or young:
                continue
            line = self.api.call_line(recording.call_sid, self.live.config.line_by_number)
            added = self.store.messages.add(
                line=line.id if line else UNKNOWN_LINE,
                received_at=recording.created or now,
                recording_sid=recording.sid,
                recording_url=self.api.recording_url(recording.sid),
                duration_seconds=recording.duration,
                language=line.default_language if line else "",
            )
            if added:
                taken += 1
                metrics.MESSAGES.labels("taken in by reconcile").inc()
                log.warning("took in recording %s, which only Twilio had", recording.sid)
        return taken
