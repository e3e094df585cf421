"""Voicemail details written ahead: on this instance's disk, before anything can fail, and kept
until the database has them.

One file per recording, named by its RecordingSid, written whole or not at all (a temporary
file, flushed to disk, then renamed). The database stores a recording once (its id is unique):
whether the same message is journalled twice (Twilio's `<Record>` action and its recording
callback both carry it) or flushed by two workers at once, it is stored exactly once. Nothing
in it identifies the caller.
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime
from pathlib import Path

log = logging.getLogger("ivr.journal")
NAME = re.compile(r"[^A-Za-z0-9]")


class Journal:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def write(self, message: dict) -> bool:
        """Makes one message's details durable; True once they are on disk."""
        name = NAME.sub("", message["recording_sid"])[:64] or "unnamed"
        record = dict(message, received_at=message["received_at"].isoformat())
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{name}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as out:
                out.write(json.dumps(record))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.folder / f"{name}.json")
            directory = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(directory)  # the rename itself survives a power cut
            finally:
                os.close(directory)
            return True
        except OSError as exc:
            log.error(
                "voicemail %s could not be written to %s (%s)", name, self.folder, exc.strerror
            )
            return False

    def forget(self, recording_sid: str) -> None:
        name = NAME.sub("", recording_sid)[:64] or "unnamed"
        try:
            (self.folder / f"{name}.json").unlink()
        except OSError:  # not there (never written, or stored by another worker)
            pass

    def pending(self) -> int:
        try:
            return sum(1 for _ in self.folder.glob("*.json"))
        except OSError:
            return 0

    def flush(self, store) -> int:
        """Stores what is waiting here; returns how many were new to the database."""
        if not self.folder.is_dir():
            return 0
        stored = 0
        for path in sorted(self.folder.glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                record["received_at"] = datetime.fromisoformat(record["received_at"])
            except FileNotFoundError:
                continue  # another worker stored it meanwhile
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.error("journal file %s is unreadable (%s); moved aside", path.name, exc)
                path.replace(path.with_suffix(".unreadable"))
                continue
            stored += store.messages.add(**record)
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        return stored
