"""Messages' audio sealed with Fernet (the `cryptography` package): several keys may be valid,
the newest seals, so that a key can be changed without losing a message."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SealError(ValueError):
    """No key we have opens it, or there is no key at all."""


class Seal:
    def __init__(self, keys: tuple[str, ...]):
        """`keys`: Fernet keys (`ivr privacy new-key` makes one), newest first."""
        try:
            self.fernet = MultiFernet([Fernet(key.encode()) for key in keys]) if keys else None
        except ValueError as exc:
            raise SealError(
                "IVR_MESSAGE_KEYS holds something that is not a Fernet key; make one with "
                "'ivr privacy new-key'"
            ) from exc

    def close(self, audio: bytes) -> bytes:
        if self.fernet is None:
            raise SealError("no key to seal messages with: set IVR_MESSAGE_KEYS")
        return self.fernet.encrypt(audio)

    def open(self, sealed: bytes) -> bytes:
        if self.fernet is None:
            raise SealError("no key to open messages with: set IVR_MESSAGE_KEYS")
        try:
            return self.fernet.decrypt(sealed)
        except InvalidToken as exc:
            raise SealError("none of the keys in IVR_MESSAGE_KEYS opens this message") from exc


def new_key() -> str:
    return Fernet.generate_key().decode()


def organisation_of_line(config, line_id: str) -> str:
    """Whose key seals a line's messages: the line's `organisation:`, or the line itself (as
    `ivr.console.access.organisation_of`); a line no longer configured, by its id."""
    return config.organisation_of(line_id)


class Keyring:
    """The keys of every organisation (`Settings.organisation_keys`) and the shared ones
    (IVR_MESSAGE_KEYS): an organisation's messages are sealed with its own newest key, or, while
    it has none, with the shared one; they are opened with its keys, then the shared ones (for
    those sealed before it had its own: `ivr privacy reseal` moves them)."""

    def __init__(self, shared: tuple[str, ...], own: dict[str, tuple[str, ...]] | None = None):
        self.shared = tuple(shared)
        self.own = dict(own or {})

    @classmethod
    def of(cls, settings) -> Keyring:
        return cls(settings.message_keys, settings.organisation_keys)

    @property
    def usable(self) -> bool:
        """Whether some key seals messages: else their audio stays at Twilio."""
        return bool(self.shared or self.own)

    def sealer(self, organisation: str) -> tuple[str, ...]:
        """The keys that seal `organisation`'s messages (the first one does)."""
        return self.own.get(organisation) or self.shared

    def close(self, organisation: str, audio: bytes) -> bytes:
        keys = self.sealer(organisation)
        if not keys:
            raise SealError(
                f"no key to seal {organisation}'s messages with: set IVR_MESSAGE_KEYS or its own"
            )
        return Seal(keys).close(audio)

    def open(self, organisation: str, sealed: bytes) -> bytes:
        keys = self.own.get(organisation, ()) + self.shared
        return Seal(keys).open(sealed)
