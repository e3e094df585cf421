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
import tempfile
import time
from datetime import datetime
from pathlib import Path

log = logging.getLogger("ivr.runtime.journal")
NAME = re.compile(r"[^A-Za-z0-9]")
# A temporary file this old belongs to no write in progress (one takes milliseconds).
LEFTOVER_SECONDS = 600


class Journal:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def write(self, message: dict) -> bool:
        """Makes one message's details durable; True only once they are on disk (the file and
        its name flushed), which is what lets a caller be told the message is kept."""
        name = NAME.sub("", message["recording_sid"])[:64] or "unnamed"
        record = dict(message, received_at=message["received_at"].isoformat())
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # A name of its own per write: two requests of one process never share it.
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
            with open(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(record))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.folder / f"{name}.json")
            tmp = None
            directory = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(directory)  # the rename itself survives a power cut
            finally:
                os.close(directory)
            return True
        except OSError as exc:
            # Not an ERROR: the database may take it, and the caller is told if neither did.
            log.warning(
                "voicemail %s could not be written to %s (%s)", name, self.folder, exc.strerror
            )
            return False
        finally:
            if tmp is not None:  # a write that failed leaves nothing behind (a full disk)
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

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
        self._sweep_leftovers()
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

    def _sweep_leftovers(self) -> None:
        """Temporary files older than a write can take: left by a process killed mid-write.
        What they held was never said to be kept (the write had not returned)."""
        limit = time.time() - LEFTOVER_SECONDS
        for path in self.folder.glob(".*.tmp"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                pass
