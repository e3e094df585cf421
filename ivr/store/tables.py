"""The database's tables, as SQLAlchemy Core sees them (versioned by ivr/store/migrations/).

Nothing in them identifies a caller: no phone number anywhere. The one exception is the
CallSid of a call whose record is waiting to be deleted at Twilio (`forget`): it is kept until
Twilio confirms the deletion, then the row goes (docs/privacy.md).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    false,
    true,
)

metadata = MetaData()
# The largest number an Integer column holds (PostgreSQL's integer): a row's number from a URL
# beyond it is no row, never a query the database refuses.
MAX_ROW_ID = 2**31 - 1

# A message a caller left: what a counsellor needs to call back in the right language, and
# where it is in its life (new, taken, done). Its audio, once fetched from Twilio, encrypted.
voicemails = Table(
    "voicemails",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("line", String(64), nullable=False, index=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("recording_sid", String(64), nullable=False, unique=True),
    Column("recording_url", String(512), nullable=False),
    Column("duration_seconds", Integer, nullable=False),
    Column("language", String(8), nullable=False),
    Column("state", String(16), nullable=False, server_default="new"),
    Column("taken_by", String(100)),
    Column("taken_at", DateTime(timezone=True)),
    Column("done_at", DateTime(timezone=True)),
    Column("outcome", String(16)),  # called back, closed
    Column("note", String(500)),
    Column("audio", LargeBinary),  # encrypted (Fernet); never the audio itself
    Column("audio_type", String(32)),
    Column("audio_at", DateTime(timezone=True)),
    # The organisation whose key sealed the audio (None: sealed before keys were per
    # organisation, with the shared IVR_MESSAGE_KEYS): `ivr privacy reseal` looks here.
    Column("sealed_for", String(64)),
    Column("deleted_at_twilio", DateTime(timezone=True)),
    # The line's organisation when the message was left (issue 22), kept as it was then.
    Column("organisation", String(64)),
    # The mail saying it waits (ivr.runtime.mail): due from its arrival, claimed for a while by
    # the worker that sends it, tried again with back-off; sent once. No due time: never
    # mailed (messages from before mails existed).
    Column("mail_due_at", DateTime(timezone=True), index=True),
    Column("mail_attempts", Integer, nullable=False, server_default="0"),
    Column("mail_claimed_until", DateTime(timezone=True)),
    Column("mailed_at", DateTime(timezone=True)),
)

# An operator's decision for a line, for a while (`ivr.domain.model.Override`): several a line,
# planned one after the other, never overlapping (`ivr.store.overrides` sees to it). Rows stay after
# they end, so that a week's page can show them; the log keeps who did what.
overrides = Table(
    "overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("line", String(64), nullable=False, index=True),
    Column("open", Boolean, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("until", DateTime(timezone=True), nullable=False, index=True),
    Column("forward_to", String(64)),  # a number, or a partner service's id
    Column("reason", String(500), nullable=False),
    Column("operator", String(100), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)
override_log = Table(
    "override_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("line", String(64), nullable=False, index=True),
    Column("action", String(16), nullable=False),  # set, clear
    Column("open", Boolean),
    Column("until", DateTime(timezone=True)),
    Column("forward_to", String(64)),
    Column("reason", String(500), nullable=False),
    Column("operator", String(100), nullable=False),
    Column("override_id", Integer),  # the override set or cleared (none before version 0003)
    Column("starts_at", DateTime(timezone=True)),
)

# One row per call that ended, for the annual report: the line, the hour (not the minute), how
# it ended and in which language. Nothing else: no number, no CallSid.
call_outcomes = Table(
    "call_outcomes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hour", DateTime(timezone=True), nullable=False, index=True),
    Column("line", String(64), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("language", String(8), nullable=False),
    Column("organisation", String(64)),  # the line's organisation at the time of the call
)

# A message's figures, kept when the message goes (the reports of past years): its line and
# organisation, the hour it came, what became of it and when (to the hour), how long it waited
# for a call back. Nothing of the caller, no recording, no note.
message_figures = Table(
    "message_figures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_id", Integer, nullable=False, index=True),  # its id while kept
    Column("line", String(64), nullable=False),
    Column("organisation", String(64), nullable=False),
    Column("received_hour", DateTime(timezone=True), nullable=False, index=True),
    Column("outcome", String(16)),  # called back, closed
    Column("done_hour", DateTime(timezone=True)),
    Column("wait_seconds", Integer),  # from its arrival to its call back (or closing)
    Column("purged_hour", DateTime(timezone=True)),
    Column("purged_unanswered", Boolean),  # its time was up before anyone was done with it
)

# The daily reminder of the messages still new, a row a line and day: claimed by one worker of
# one instance, sent once.
mail_reminders = Table(
    "mail_reminders",
    metadata,
    Column("key", String(100), primary_key=True),  # "2026-11-24 1712"
    Column("claimed_until", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
)

# Records to delete at Twilio (a finished call and its transfer legs, a recording once its
# audio is ours), each tried until Twilio confirms, with back-off. A row is claimed for a while
# by the worker that handles it, so that two workers or instances never do it twice at once.
forget = Table(
    "forget",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # call, recording
    Column("sid", String(64), nullable=False, unique=True),
    Column("due_at", DateTime(timezone=True), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", String(300)),
    Column("claimed_until", DateTime(timezone=True)),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

# Who did what to a message (and, in the console, to anything else), when.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("operator", String(100), nullable=False),
    Column("action", String(32), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("detail", String(500), nullable=False, server_default=""),
)

# The console's accounts: a name, a role, a password hash (scrypt, never the password), the
# language of its pages; disabled rather than deleted, so that the audit log keeps its names.
operators = Table(
    "operators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # coordinator, counsellor
    Column("password_hash", String(255), nullable=False),
    Column("language", String(8), nullable=False, server_default="fr"),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
    Column("pin_hash", String(255)),  # the phone console's PIN, hashed; None: no PIN
    Column("last_login_at", DateTime(timezone=True)),
    # A one-time code a coordinator hands over, with which the account sets its own password
    # (its hash; never a password), and until when it works.
    Column("reset_hash", String(255)),
    Column("reset_until", DateTime(timezone=True)),
    # The second factor (TOTP, RFC 6238): its secret, when it was enrolled (None: not yet),
    # and the last time step a code was accepted for (a code is taken once).
    Column("totp_secret", String(64)),
    Column("totp_enrolled_at", DateTime(timezone=True)),
    Column("totp_last_step", Integer),
)

# An account's recovery codes for the second factor, hashed; each is used once.
recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("operator_id", Integer, ForeignKey("operators.id"), nullable=False, index=True),
    Column("code_hash", String(255), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

# Wrong passwords and PINs, counted: a row a subject ("name:ana" as typed, "address:192.0.2.1",
# "phone:ana"), for the window that began at its first counted attempt: how many were let
# through and how many refused since, shared by every worker and instance (ivr.store.throttle).
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("subject", String(120), primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False, index=True),
    Column("failures", Integer, nullable=False),
    Column("refused", Integer, nullable=False),
    Column("audit_id", Integer),  # the audit log's row saying how many were refused
)

# The console's sessions, ended on the server: a row from the login to the logout, the
# account's disabling or new password, or the session's expiry. The browser's cookie holds a
# random token; this table only its SHA-256, so that reading the database opens no session.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("operator_id", Integer, ForeignKey("operators.id"), nullable=False, index=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)

# What an account may see and do: a row a grant, of a role in an organisation (its every line,
# those added later too), or in one of its lines; organisation "*" is every line (the
# platform's own staff). `unnarrowed`: a grant of every line that migration 0009 gave an
# account made before grants, shown as such until someone narrows it.
operator_grants = Table(
    "operator_grants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("operator_id", Integer, ForeignKey("operators.id"), nullable=False, index=True),
    Column("organisation", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("line", String(64)),
    Column("unnarrowed", Boolean, nullable=False, server_default=false()),
)


# A counsellor's shift on duty (issue 21): whose account, the lines they take calls for and the
# languages (none listed: each line's own), the phone they answer on (E.164: a counsellor's, never
# a caller's; shown only to coordinators), from when until when (renewable), and where they are
# in their calls: offered one (`call_state` "offered", until `offer_until`, the offer's random
# `offer_token` in the URLs of its TwiML), in one ("busy"), not ready after one until
# `not_ready_until`, skipped after an offer not taken until `skipped_until`. Rows stay after
# the shift ends, for coordinators, for `DUTY_RETENTION_DAYS` (ivr.store.duty; docs/privacy.md).
duty_shifts = Table(
    "duty_shifts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("operator_id", Integer, ForeignKey("operators.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False, index=True),
    Column("lines", String(500), nullable=False),  # line ids, comma-separated
    Column("phone", String(32), nullable=False),
    Column("languages", String(100), nullable=False, server_default=""),  # "": the lines'
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False, index=True),
    Column("ended_at", DateTime(timezone=True), index=True),
    Column("not_ready_until", DateTime(timezone=True)),
    Column("last_call_ended_at", DateTime(timezone=True)),
    Column("skipped_until", DateTime(timezone=True)),
    Column("call_state", String(16)),  # None (free), offered, busy
    Column("call_queue", String(80)),  # the queue offered or joined: <line>-<language>
    Column("offer_token", String(64), unique=True),
    Column("offer_until", DateTime(timezone=True)),
    Column("calls_taken", Integer, nullable=False, server_default="0"),
    Column("offers_refused", Integer, nullable=False, server_default="0"),
)

# Twilio's queues of callers waiting, one a line and language, as Twilio last reported them (a
# wait request's CurrentQueueSize): no caller in it, only how many wait. The row is also what
# an offer holds while it counts the offers out (PostgreSQL: the row's lock; SQLite: the
# database's), so that offers never outnumber the callers waiting, across workers and instances.
duty_queues = Table(
    "duty_queues",
    metadata,
    Column("name", String(80), primary_key=True),  # <line>-<language>
    Column("line", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("waiting", Integer, nullable=False, server_default="0"),
    Column("longest_wait", Integer, nullable=False, server_default="0"),  # seconds
    Column("average_wait", Integer, nullable=False, server_default="0"),  # Twilio's, seconds
    Column("reported_at", DateTime(timezone=True), nullable=False),
)

# A key a caller pressed while waiting in a queue (to leave a message, or for the 24/7 line),
# from the wait document's request to the `<Enqueue>`'s action, which `<Leave>` cannot carry:
# a row of seconds, under a keyed hash of the CallSid (never the CallSid), gone when read.
duty_choices = Table(
    "duty_choices",
    metadata,
    Column("call_key", String(64), primary_key=True),
    Column("choice", String(8), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)


def first_version_tables() -> MetaData:
    """The tables besides `voicemails` as the first version of the schema (migration 0001) had
    them: what a local file from before the schema was versioned is completed with."""
    first = MetaData()
    Table(
        "call_outcomes",
        first,
        Column("id", Integer, primary_key=True),
        Column("hour", DateTime(timezone=True), nullable=False, index=True),
        Column("line", String(64), nullable=False),
        Column("outcome", String(32), nullable=False),
        Column("language", String(8), nullable=False),
    )
    Table(
        "overrides",
        first,
        Column("line", String(64), primary_key=True),
        Column("open", Boolean, nullable=False),
        Column("until", DateTime(timezone=True), nullable=False),
        Column("forward_to", String(32)),
        Column("reason", String(500), nullable=False),
        Column("operator", String(100), nullable=False),
        Column("set_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "override_log",
        first,
        Column("id", Integer, primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("line", String(64), nullable=False, index=True),
        Column("action", String(16), nullable=False),
        Column("open", Boolean),
        Column("until", DateTime(timezone=True)),
        Column("forward_to", String(32)),
        Column("reason", String(500), nullable=False),
        Column("operator", String(100), nullable=False),
    )
    return first
