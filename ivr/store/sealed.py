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
