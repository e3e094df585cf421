"""A real SMTP server on loopback (aiosmtpd), for the mail tests: what it received, and it
can be stopped and started again on the same port."""

from __future__ import annotations

import email
import email.policy
import threading

from aiosmtpd.controller import Controller

from support.loopback import free_port


class Mailbox:
    def __init__(self):
        self.port = free_port()
        self.received: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self._lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.received.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 OK"

    def start(self) -> Mailbox:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def texts(self) -> list[str]:
        """Every mail, headers and body, as text."""
        with self._lock:
            return [m.as_string() + m.get_body(("plain",)).get_content() for m in self.received]
