"""A mail when a caller leaves a message, and a daily reminder of those still new: sent by a
thread of each worker's own, never on a webhook's path. Each message's mail is claimed in the
database (`ivr.store.mail`), so that workers and instances send it once; an SMTP server that
is down or slow only delays the mails, tried again with back-off until it answers.

What a mail holds: the line, when the message came, how long it is, a link to the console's
messages. Never the audio, never anything of the caller (docs/privacy.md)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from ivr import metrics
from ivr.runtime.background import Periodic

log = logging.getLogger("ivr.runtime.mail")
BRUSSELS = ZoneInfo("Europe/Brussels")
SMTP_TIMEOUT = 15  # seconds a connection or an answer of the SMTP server may take
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(minutes=15)
# A message older than this when the mails start (a server set up later) is not mailed: the
# daily reminder tells of it.
TOO_OLD = timedelta(days=2)


class MailError(RuntimeError):
    """A mail was not sent; the text says why (never a password)."""


def retry_after(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** min(attempts, 10), LONGEST_RETRY)


@dataclass(frozen=True)
class Server:
    """IVR_SMTP_URL, read: smtps:// is TLS from the start; smtp:// uses STARTTLS when the
    server offers it (and a login is never sent without it)."""

    host: str
    port: int
    tls: bool
    username: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> Server:
        parts = urlsplit(url)
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if tls else 587),
            tls=tls,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )

    def send(self, mail: EmailMessage) -> None:
        context = ssl.create_default_context()
        try:
            if self.tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
            with smtp:
                smtp.ehlo()
                if not self.tls and smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                    smtp.ehlo()
                    secured = True
                else:
                    secured = self.tls
                if self.username:
                    if not secured:
                        raise MailError(
                            f"{self.host}:{self.port} offers no STARTTLS: the login is not "
                            "sent in clear (use smtps://, or a server that offers STARTTLS)"
                        )
                    smtp.login(self.username, self.password)
                smtp.send_message(mail)
        except MailError:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"{self.host}:{self.port}: {type(exc).__name__}: {exc}"[:300]) from exc


def when(moment: datetime) -> str:
    local = moment.astimezone(BRUSSELS)
    return local.strftime("%d/%m/%Y %H:%M")


def duration(seconds: int) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


class MailWork:
    def __init__(self, settings, store, live, clock, server: Server | None = None):
        self.store = store
        self.live = live
        self.clock = clock
        self.server = server or (Server.from_url(settings.smtp_url) if settings.smtp_url else None)
        self.sender = settings.mail_from or "ivr@localhost"
        self.console = (settings.public_url or "") + "/console/messages"
        self.reminder_hour = settings.reminder_hour
        self.remind_after = timedelta(hours=settings.remind_after_hours)
        self.thread = Periodic(
            "ivr-mail",
            settings.mail_seconds,
            self.round,
            # An SMTP server that answers slowly: a round may take a while, no call waits.
            hang_seconds=300,
            failing="could not send the mails about waiting messages; tried again",
            first_at_once=False,
        )

    # -- the thread ----------------------------------------------------------------------

    def round(self) -> None:
        if self.server is None:
            return
        now = self.clock()
        failed = self.mail_new(now) + self.remind(now)
        if failed:
            raise MailError("; ".join(failed)[:300])

    def mail_new(self, now: datetime) -> list[str]:
        """Mails each message that came (claimed first: one worker, one mail); a mail not
        sent is tried again later. Returns what failed."""
        failed = []
        lines = self.live.config.lines
        for message in self.store.mail.claim(now):
            line = lines.get(message["line"])
            addresses = line.notify if line else ()
            if not addresses or now - message["received_at"] > TOO_OLD:
                self.store.mail.sent(message["id"], now)  # nobody to tell, or too late
                metrics.MAILS.labels("message", "nobody").inc()
                continue
            try:
                self.server.send(self.new_message(line, message, addresses))
            except MailError as exc:
                self.store.mail.failed(message["id"], now + retry_after(message["mail_attempts"]))
                metrics.MAILS.labels("message", "tried again").inc()
                failed.append(f"message {message['id']}: {exc}")
                continue
            self.store.mail.sent(message["id"], now)
            metrics.MAILS.labels("message", "sent").inc()
            log.info("mailed %d address(es) that message %d waits", len(addresses), message["id"])
        return failed

    def remind(self, now: datetime) -> list[str]:
        """Once a day, from the reminder's hour (Brussels time), each line's messages still
        new after `remind_after`, to its addresses."""
        local = now.astimezone(BRUSSELS)
        if local.hour < self.reminder_hour:
            return []
        failed = []
        for line in self.live.config.lines.values():
            if not line.notify:
                continue
            waiting = self.store.mail.still_new(line.id, now - self.remind_after)
            if not waiting:
                continue
            key = f"{local.date().isoformat()} {line.id}"
            if not self.store.mail.claim_reminder(key, now):
                continue
            try:
                self.server.send(self.reminder(line, waiting, now))
            except MailError as exc:
                self.store.mail.reminder_failed(key, now + FIRST_RETRY)
                metrics.MAILS.labels("reminder", "tried again").inc()
                failed.append(f"reminder for {line.id}: {exc}")
                continue
            self.store.mail.reminder_sent(key, now)
            metrics.MAILS.labels("reminder", "sent").inc()
        return failed

    # -- what the mails say --------------------------------------------------------------

    def _mail(self, line, subject: str, body: str, now: datetime) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = ", ".join(line.notify)
        mail["Subject"] = subject
        mail["Date"] = format_datetime(now.astimezone(BRUSSELS))
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "localhost")
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(body)
        return mail

    def link(self, message_id: int | None = None) -> str:
        anchor = f"#m{message_id}" if message_id is not None else ""
        if not self.console.startswith("http"):
            return f"/console/messages{anchor} (IVR_PUBLIC_URL is not set: the console's address)"
        return self.console + anchor

    def new_message(self, line, message: dict, addresses) -> EmailMessage:
        at, length = when(message["received_at"]), duration(message["duration_seconds"])
        link = self.link(message["id"])
        body = (
            f"Un message attend sur la ligne {line.name}.\n"
            f"Reçu le {at} (heure de Bruxelles), {length}.\n"
            f"L'écouter et rappeler : {link}\n\n"
            f"Er wacht een bericht op de lijn {line.name}.\n"
            f"Ontvangen op {at} (Brusselse tijd), {length}.\n"
            f"Beluisteren en terugbellen: {link}\n\n"
            "--\n"
            "Rien de l'appelant dans ce mail : ni son numéro, ni son message.\n"
            "Niets van de beller in deze mail: geen nummer, geen bericht.\n"
        )
        subject = f"{line.name} : un message attend / een bericht wacht ({at})"
        return self._mail(line, subject, body, self.clock())

    def reminder(self, line, waiting: list[dict], now: datetime) -> EmailMessage:
        rows = "".join(
            f"  - n° {m['id']} : {when(m['received_at'])}, {duration(m['duration_seconds'])}\n"
            for m in waiting
        )
        link = self.link()
        body = (
            f"Messages encore nouveaux sur la ligne {line.name} (personne ne les a pris) :\n"
            f"Nog nieuwe berichten op de lijn {line.name} (niemand heeft ze genomen):\n\n"
            f"{rows}\n"
            f"{link}\n\n"
            "--\n"
            "Rien des appelants dans ce mail. / Niets van de bellers in deze mail.\n"
        )
        subject = (
            f"{line.name} : {len(waiting)} message(s) en attente / "
            f"{len(waiting)} bericht(en) wachten"
        )
        return self._mail(line, subject, body, now)
