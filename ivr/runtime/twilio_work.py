"""What is kept at Twilio goes, and what callers leave comes to us: a thread of each worker's
own deletes the records of finished calls at Twilio (a while after they end), takes in each
message's audio (sealed) and deletes the recording there, purges messages whose time is up,
and now and then looks for recordings at Twilio we do not have and calls whose end we missed.
Each piece of work is claimed in the database, so that workers and instances share it without
doing anything twice, and each fails on its own: a recording Twilio cannot give, a call it
will not delete, never holds the rest (`ivr.store.forget` keeps each one's tries)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ivr import metrics
from ivr.runtime.background import Periodic
from ivr.store.forget import AUDIO, CALL, RECORDING, TRIES
from ivr.store.sealed import Keyring, organisation_of_line
from ivr.twilio.rest import NotAtTwilio, TwilioAPI, TwilioError

log = logging.getLogger("ivr.runtime.twilio_work")
# A task that fails is tried again after 1, 2, 4 ... minutes, at most an hour apart.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
RECONCILE_EVERY = timedelta(minutes=15)
RECONCILE_SINCE = timedelta(days=30)
# A recording younger than this is left to its callback, which comes within seconds; and
# Twilio's "no such recording" for a message this young may only mean "not ready yet".
RECONCILE_AFTER = timedelta(minutes=10)
# A recording whose call Twilio keeps failing to show is taken in after this, line unknown.
LINE_LOOKUP_FOR = timedelta(days=1)
UNKNOWN_LINE = "unknown"
# Twilio's final call statuses: the call is over, its record can go.
FINISHED = {"completed", "busy", "failed", "no-answer", "canceled"}
# What each kind of work is, for the log.
DOING = {
    CALL: "deleting a call at Twilio",
    RECORDING: "deleting a recording at Twilio",
    AUDIO: "taking in a message's audio",
}


class RoundFailed(TwilioError):
    """Some of the work failed, each piece on its own, the rest done; the text says which."""


def retry_after(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** min(attempts, 10), LONGEST_RETRY)


class TwilioWork:
    def __init__(self, settings, store, live, clock, api: TwilioAPI | None = None):
        self.store = store
        self.live = live
        self.clock = clock
        self.api = api
        self.keys = Keyring.of(settings)
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
        works = []
        if self.api is not None:
            works += [("take in audio", self.take_in_audio), ("delete at Twilio", self.forget_due)]
            if self._reconciled_at is None or now - self._reconciled_at >= RECONCILE_EVERY:
                self._reconciled_at = now
                works += [("sweep calls", self.sweep_calls), ("reconcile", self.take_in_missing)]
        works.append(("purge", self.purge))
        self._each(now, works)

    def _each(self, now: datetime, works) -> list:
        """Does every work, each whatever became of the others; RoundFailed at the end if
        any failed (the thread says so, once, and tries again next round)."""
        results, failed = [], []
        for name, work in works:
            try:
                results.append(work(now))
            except Exception as exc:  # that work only: the others go on
                metrics.TWILIO_WORK_FAILED.labels(name).inc()
                failed.append(f"{name}: {said(exc)}")
                results.append(None)
        if failed:
            raise RoundFailed("; ".join(failed)[:300])
        return results

    def take_in_audio(self, now: datetime) -> int:
        """Fetches, seals and keeps the audio of messages we have only the details of, each
        recording on its own; each is then deleted at Twilio."""
        if not self.keys.usable:
            return 0  # no key: the audio stays at Twilio (ivr check says so)
        for message in self.store.recordings.without_audio():
            self.store.forget.add(AUDIO, message["recording_sid"], due_at=now, now=now)
        taken = 0
        for task in self.store.forget.claim(now, kinds=(AUDIO,)):
            try:
                taken += self._take_in(task, now)
            except Exception as exc:  # this recording only
                self._again(task, now, said(exc))
        return taken

    def _take_in(self, task: dict, now: datetime) -> int:
        sid = task["sid"]
        message = self.store.recordings.waiting(sid)
        if message is None or message["has_audio"]:  # purged meanwhile, or taken in already
            self.store.forget.then(RECORDING, sid, due_at=now, now=now)
            return 0
        try:
            audio, kind = self.api.recording_audio(sid)
        except NotAtTwilio:
            if now - message["received_at"] < RECONCILE_AFTER:
                raise  # maybe not ready yet: tried again
            self._lost(task, message["id"], now)
            return 0
        organisation = organisation_of_line(self.live.config, message["line"])
        sealed = self.keys.close(organisation, audio)
        kept = self.store.recordings.keep_audio(message["id"], sealed, kind, now, organisation)
        self.store.forget.then(RECORDING, sid, due_at=now, now=now)
        if kept:
            metrics.MESSAGES.labels("audio kept").inc()
        return int(kept)

    def _lost(self, task: dict, message_id: int, now: datetime) -> None:
        """Twilio has no recording for a message whose audio we lack: the audio is lost. Said
        once, counted, never asked for again; the message's details stay."""
        metrics.MESSAGES.labels("audio lost").inc()
        log.error(
            "message %d: Twilio has no recording %s, so its audio is lost (the message's "
            "details are kept; it is not asked for again)",
            message_id,
            task["sid"],
        )
        self.store.forget.failed(
            task["id"], "Twilio has no such recording (HTTP 404): the audio is lost", now, True
        )
        # Twilio has it no more: what operators are shown says the audio is lost, not "at
        # Twilio".
        self.store.recordings.deleted_at_twilio(task["sid"], now)

    def forget_due(self, now: datetime) -> int:
        done = 0
        for task in self.store.forget.claim(now, kinds=(CALL, RECORDING)):
            try:
                if task["kind"] == CALL:
                    finished = self.api.forget_call(task["sid"])
                else:
                    finished = self.api.forget_recording(task["sid"])
                    if finished:
                        self.store.recordings.deleted_at_twilio(task["sid"], now)
            except Exception as exc:  # this record only
                self._again(task, now, said(exc))
                continue
            if finished:
                self.store.forget.done(task["id"])
                metrics.FORGOTTEN.labels(task["kind"], "deleted").inc()
                done += 1
            else:
                self._again(task, now, "not finished yet (Twilio error 20009)")
        return done

    def _again(self, task: dict, now: datetime, why: str) -> None:
        """One piece failed: tried again later, with back-off, until it has had its tries;
        then given up, in the open (a metric, `ivr privacy status`)."""
        tries = self.store.forget.failed(task["id"], why, now + retry_after(task["attempts"]))
        result = "gave up" if tries >= TRIES else "tried again"
        if task["kind"] == AUDIO:
            metrics.MESSAGES.labels(f"audio {result}").inc()
        else:
            metrics.FORGOTTEN.labels(task["kind"], result).inc()
        if tries >= TRIES:
            log.warning(
                "%s: gave up after %d tries (%s); `ivr privacy retry` has it tried again",
                DOING[task["kind"]],
                tries,
                why,
            )
        elif task["attempts"] in (0, 5, 10):  # said now and then, not at every try
            log.warning("%s failed (%d tries): %s", DOING[task["kind"]], tries, why)

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
                # Its recording goes too, in place of any fetch of its audio still waiting.
                self.store.forget.then(RECORDING, message["recording_sid"], due_at=now, now=now)
            else:  # nothing left to do at Twilio: a fetch given up goes with the message
                self.store.forget.drop(message["recording_sid"])
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
        """Both halves of the reconcile round, now (`ivr voicemails reconcile`): the calls
        whose end we were never told of queued for deletion (`sweep_calls`), and the
        recordings only Twilio has taken in (`take_in_missing`), each whatever became of the
        other. Returns how many recordings were taken in."""
        self._reconciled_at = now
        return self._each(
            now, [("sweep calls", self.sweep_calls), ("reconcile", self.take_in_missing)]
        )[1]

    def take_in_missing(self, now: datetime) -> int:
        """Takes in the recordings at Twilio that we have not got: the last line of defence
        behind the journal (Twilio keeps a recording until we delete it, which we do only once
        its audio is ours). Each is stored once (its id is unique), each on its own: one whose
        call Twilio cannot show now waits for the next round."""
        known = self.store.messages.recording_sids()
        taken = waiting = 0
        for recording in self.api.recordings(now - RECONCILE_SINCE):
            young = recording.created is not None and now - recording.created < RECONCILE_AFTER
            if recording.sid in known or young:
                continue
            try:
                line = self.api.call_line(recording.call_sid, self.live.config.line_by_number)
            except TwilioError as exc:
                old = recording.created is None or now - recording.created >= LINE_LOOKUP_FOR
                if not old:
                    waiting += 1
                    continue
                log.warning(
                    "recording %s: Twilio has not shown its call for a day (%s); taken in "
                    "under the line '%s'",
                    recording.sid,
                    exc,
                    UNKNOWN_LINE,
                )
                line = None
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
        if waiting:
            metrics.MESSAGES.labels("reconcile tried again").inc(waiting)
            log.warning(
                "%d recording(s) only Twilio has wait for the next reconcile round: Twilio "
                "could not show their call now",
                waiting,
            )
        return taken


def said(exc: Exception) -> str:
    """An exception as a last_error or log text: Twilio's answer, or what went wrong."""
    return str(exc) if isinstance(exc, TwilioError) else f"{type(exc).__name__}: {exc}"[:300]
