"""Prometheus metrics. Labels are lines, outcomes and statuses: never a phone number.

Under gunicorn each worker is a process; with PROMETHEUS_MULTIPROC_DIR set (the Procfile sets
it) `GET /metrics` adds up every worker's figures.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

CALLS = Counter("ivr_calls_total", "Calls by how they ended", ["line", "outcome"])
TRANSFERS = Counter("ivr_transfers_total", "Transfers by dial status", ["line", "status"])
# A transfer that did not connect, by whom it tried to reach (a contact of the line or a
# partner service; never a number): a broken route shows here within minutes.
TRANSFER_FAILURES = Counter(
    "ivr_transfer_failures_total", "Transfers that did not connect, by target", ["line", "target"]
)
MENU_FAILURES = Counter(
    "ivr_menu_failures_total", "Menus left for their safe destination", ["line", "kind"]
)
SAFE_ANSWERS = Counter(
    "ivr_safe_answers_total", "Static safe answers given", ["reason"]
)  # fallback URL, exception, unknown number, signing key unknown
# Deletions of call records and recordings at Twilio: deleted, tried again, gave up (after
# `ivr.store.forget.TRIES` tries: alert on any, `ivr privacy status` says which).
FORGOTTEN = Counter(
    "ivr_twilio_deletions_total", "Records deleted at Twilio, or tried again", ["kind", "result"]
)
# Messages: audio kept, audio tried again, audio gave up, audio lost (Twilio had no recording
# for it), not kept now (neither disk nor database took it), taken in by reconcile, reconcile
# tried again, purged.
MESSAGES = Counter("ivr_messages_total", "What happened to messages", ["event"])
# A kind of work of the Twilio thread that failed in a round (the others were done).
TWILIO_WORK_FAILED = Counter(
    "ivr_twilio_work_failed_total", "Rounds in which a kind of Twilio work failed", ["work"]
)
# Wrong PINs at the phone console (no account name: a rise is what to alert on, and the
# audit log says whose).
CONSOLE_PINS = Counter("ivr_console_pins_total", "PINs entered at the phone console", ["result"])
# The web console's logins: right, wrong, and throttled (refused unchecked; the audit log has
# one row a name or address and minute saying how many).
CONSOLE_LOGINS = Counter("ivr_console_logins_total", "Logins at the web console", ["result"])
# Callers waiting in Twilio's queues for a counsellor on duty (issue 21), by line and language,
# as the wait requests last reported them; how long each wait lasted and how it ended (bridged,
# hung up, left by a key or max_wait, failed); offers made to counsellors, by what became of
# them (taken, refused: not answered, declined, no key; released: nobody waiting any more;
# failed: Twilio would not place the call). Never a number, a name or a CallSid.
CALLERS_WAITING = Gauge(
    "ivr_callers_waiting",
    "Callers waiting in a queue for a counsellor on duty",
    ["line", "language"],
    multiprocess_mode="max",
)
QUEUE_WAIT_SECONDS = Histogram(
    "ivr_queue_wait_seconds",
    "How long callers waited in a queue, by how the wait ended",
    ["line", "result"],
    buckets=(10, 30, 60, 120, 180, 300, 600, 900, 1800),
)
QUEUE_RESULT_WORDS = {
    "completed": "answered",
    "canceled": "hung up",
    "no-answer": "left",
    "failed": "failed",
}
QUEUE_RESULTS_SEEN = Counter(
    "ivr_queue_results_total", "Waits in a queue by how they ended", ["line", "result"]
)
OFFERS = Counter(
    "ivr_offers_total", "Waiting calls offered to counsellors on duty", ["line", "result"]
)
# A line open with nobody on duty, as the queue thread last saw it (1): what an alert watches.
# Also set by the wallboard and by each worker's database thread (`ivr.console.shifts`), so
# that it is there without REST credentials and between the queue thread's rounds.
NOBODY_ON_DUTY = Gauge(
    "ivr_nobody_on_duty",
    "1 when a line with a queue step is open and nobody is on duty for it",
    ["line"],
    multiprocess_mode="max",
)
REQUEST_SECONDS = Histogram(
    "ivr_request_seconds",
    "Time to answer a webhook",
    ["endpoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def record(flow) -> None:
    """Counts what one request of a call did (see CallFlow.outcome and friends)."""
    if flow.outcome is not None:
        line, outcome, _lang = flow.outcome
        CALLS.labels(line, outcome).inc()
    for line, status in flow.transfers:
        TRANSFERS.labels(line, status).inc()
    for line, kind in flow.menu_failures:
        MENU_FAILURES.labels(line, kind).inc()
    for line, target in flow.failed_transfers:
        TRANSFER_FAILURES.labels(line, target).inc()
    for line, _lang, result in getattr(flow, "queue_results", ()):
        QUEUE_RESULTS_SEEN.labels(line, QUEUE_RESULT_WORDS.get(result, result)).inc()


def exposition(folder: str = "") -> tuple[bytes, str]:
    """The page Prometheus reads: with `folder` (PROMETHEUS_MULTIPROC_DIR, under gunicorn),
    every worker's figures added up; else this process's."""
    if folder:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


# Mails saying a message waits, and the daily reminders: sent, tried again (the SMTP server
# refused or did not answer), nobody to mail.
MAILS = Counter("ivr_mails_total", "Mails about waiting messages", ["kind", "result"])
