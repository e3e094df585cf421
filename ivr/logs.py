"""Log lines: one JSON object per line in production (IVR_LOG_FORMAT=json), plain text
otherwise. Either way a last guard blanks anything shaped like a phone number, in case a
future log line were careless: callers' numbers never reach a log."""

from __future__ import annotations

import json
import logging
import time

from ivr.domain import phone

# Fields a line may carry besides its message. Their values cannot hold the caller's number:
# the CallSid is written only when it has Twilio's shape, the line and the step come from our
# configuration by way of our signed state. So only the message is scrubbed.
CONTEXT = ("call_sid", "line", "step")


def scrub(text: str) -> str:
    return phone.blanked(text)


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.msg, record.args = scrub(record.getMessage()), None
        text = super().format(record)
        context = " ".join(
            f"{key}={record.__dict__[key]}" for key in CONTEXT if key in record.__dict__
        )
        text = f"{text} {context}" if context else text
        return text if not record.exc_info else scrub(text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Every request writes one, so it is kept cheap: the time
    stamp's seconds are formatted once per second, and one encoder serves every line."""

    encoder = json.JSONEncoder(ensure_ascii=False, check_circular=False)

    def __init__(self) -> None:
        super().__init__()
        self._second, self._stamp = None, ""

    def stamp(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._stamp}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.stamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        fields = record.__dict__
        for key in CONTEXT:
            if key in fields:
                entry[key] = fields[key]
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return self.encoder.encode(entry)


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
ROOT = logging.getLogger()


def answered(logger: logging.Logger, call_sid: str, line: str, step: str) -> None:
    """The line every webhook writes: `answered`, with its call, line and step. In production
    (our JSON handler alone on the root logger) it is written straight to the handler's stream,
    the same JSON as JsonFormatter's, without building a LogRecord: a quarter of a webhook's
    own time went there (benchmarks/RESULTS.md). Anywhere else (a test's log capture, text
    lines), through logging as usual."""
    if not logger.isEnabledFor(logging.INFO):
        return
    handlers = ROOT.handlers
    handler = handlers[0] if len(handlers) == 1 and not logger.handlers else None
    formatter = handler.formatter if handler is not None else None
    if isinstance(formatter, JsonFormatter) and getattr(handler, "_ivr", False):
        # The CallSid ('CA' and hex, or '-') and the line's id (letters, digits, '-') need
        # no escaping; the step is a name an operator wrote, so it is encoded.
        text = (
            f'{{"time": "{formatter.stamp(time.time())}", "level": "info", '
            f'"logger": "{logger.name}", "message": "answered", "call_sid": "{call_sid}", '
            f'"line": "{line}", "step": {formatter.encoder.encode(step)}}}{handler.terminator}'
        )
        handler.acquire()
        try:
            handler.stream.write(text)
            handler.flush()
        except Exception:  # as logging does: a line lost is no reason to fail a call
            handler.handleError(logging.makeLogRecord({"msg": "answered"}))
        finally:
            handler.release()
        return
    logger.info("answered", extra={"call_sid": call_sid, "line": line, "step": step})


def setup(json_lines: bool, level: str = "INFO") -> None:
    """Installs our formatter on the root logger (once). At INFO every webhook writes one line
    (its call, line and step); WARNING keeps only what went wrong."""
    root = logging.getLogger()
    if any(getattr(h, "_ivr", False) for h in root.handlers):
        return
    # Our lines say neither the source line, the thread nor the process: not working them
    # out makes each log call cheaper (the optimisation the logging documentation gives).
    # The process id stays: gunicorn's own lines, written from the same processes, show it
    # with %(process)d, which fails on a record without it (and the line is lost).
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler()
    handler._ivr = True
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    known = level.upper() in LEVELS
    root.setLevel(level.upper() if known else logging.INFO)
    if not known:
        logging.getLogger("ivr").warning(
            "IVR_LOG_LEVEL=%s is not one of %s; logging at INFO", level, ", ".join(LEVELS)
        )


class Throttle:
    """At most one log line per `seconds` for each kind of event, however often it happens:
    what any unsigned client can cause must not flood the log. `allow` says whether to write
    the line now, and how many were held back since the last one."""

    def __init__(self, seconds: float = 10.0, kinds: int = 64):
        self.seconds = seconds
        self.kinds = kinds
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def allow(self, kind: str) -> tuple[bool, int]:
        now = time.monotonic()
        last = self._last.get(kind)
        if last is not None and now - last < self.seconds:
            self._held[kind] = self._held.get(kind, 0) + 1
            return False, 0
        if last is None and len(self._last) >= self.kinds:
            self._last.clear()  # bounded, whatever kinds a client makes up
            self._held.clear()
        self._last[kind] = now
        return True, self._held.pop(kind, 0)
