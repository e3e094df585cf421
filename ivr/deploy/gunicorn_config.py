"""gunicorn settings for production (the Procfile uses them); docs/deploy.md explains them.

Twilio waits 15 s for a whole answer, then plays the Fallback URL. Our answers take
milliseconds, so a request still running after 10 s is stuck: gunicorn restarts that worker
and Twilio, still within its 15 s, goes to the Fallback URL, which another worker or instance
answers with the safe message.
"""

import gc
import multiprocessing
import os
import tempfile

from gunicorn.glogging import Logger

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
# Sync workers: each answer is short and CPU-bound (no waiting on other services but the
# database), so one process per request in flight is simplest and most robust; two per core
# keeps the CPU busy while one waits on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = 10
graceful_timeout = 10
keepalive = 5
max_requests = 10000  # recycle workers now and then, with jitter so not all at once
max_requests_jitter = 1000
accesslog = None  # our own JSON log lines say what matters, without numbers

# Metrics from every worker process, added up by GET /metrics.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="ivr-metrics-")
os.environ.setdefault("IVR_LOG_FORMAT", "json")
# Imported now, once the folder is known, not in child_exit: that runs in a signal handler,
# and a second worker ending during the first import met a half-imported module and stopped
# the master.
from prometheus_client import multiprocess  # noqa: E402


class JsonLinesLogger(Logger):
    """gunicorn's own lines (a worker booting, exiting, timed out, a request it could not
    handle) in the same JSON form as ours: the log stays one JSON object per line."""

    def setup(self, cfg):
        super().setup(cfg)
        if os.environ.get("IVR_LOG_FORMAT") == "json":
            # Imported here, in the master once it runs: importing ivr creates the workers'
            # metric files, which must wait for on_starting to make their folder.
            from ivr.logs import JsonFormatter

            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())


logger_class = JsonLinesLogger


def on_starting(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, exist_ok=True)
    if os.environ.get("IVR_METRICS_EMPTIED") == "1":
        return  # `ivr serve` did, once for its two gunicorns, which share the folder
    for name in os.listdir(folder):  # figures of a previous run are not this run's
        os.remove(os.path.join(folder, name))


def post_worker_init(worker):
    # What the worker has loaded by now (configuration, holidays, locale data, the app) lives
    # as long as the worker: set apart from the garbage collector, so that its full passes,
    # run every few thousand requests, stop walking it (measured: a 70 ms pause each time,
    # and some µs per request on average; benchmarks/RESULTS.md).
    gc.freeze()


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
