"""The production web process (`ivr serve`, the Procfile's `web:`): nginx in front, gunicorn
behind it on loopback, in two pools of workers: the calls' and the console's.

gunicorn's sync workers each serve one request at a time, from its first byte to its last: eight
clients that send their headers a byte a second hold eight workers, and every call waits. nginx
reads whole requests itself (with short timeouts, and a small size limit) and hands gunicorn only
complete ones, so a worker never waits on a client (docs/deploy.md has the measurements). If
gunicorn cannot answer in time, nginx answers a `/voice` request with the static safe message
rather than an error, so Twilio never plays its own.

The console (/console) has workers of its own (IVR_CONSOLE_WORKERS, 2 by default), a gunicorn
of its own that nginx sends /console to: a console page waits on the database, which a webhook
never does, and anyone can ask for the login page, so a database that hangs while the console is
hammered holds the console's workers only, never a worker a call needs.

Without nginx on the machine, one gunicorn serves both, alone, and says so.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ivr.settings import Settings, SettingsError
from ivr.twilio import safe
from ivr.twilio.fields import MAX_BODY_BYTES

# How every location hands a request to gunicorn. Twilio waits 15 s for an answer: past 12 s,
# the request fails here (the safe answer, or an error Twilio retries).
PROXY = """\
            proxy_pass http://{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_request_buffering on;
            proxy_connect_timeout 2s;
            proxy_read_timeout 12s;
"""
NGINX_CONF = """\
{user}worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    server_tokens off;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    # A client has a few seconds to send its request, and Twilio's are small: a slow or
    # oversized one is cut off here, never handed to a worker.
    client_header_timeout 5s;
    client_body_timeout 5s;
    send_timeout 10s;
    keepalive_timeout 15s;
    client_header_buffer_size 2k;
    large_client_header_buffers 4 8k;
    client_max_body_size {max_body};
    client_body_buffer_size {max_body};
    upstream router {{
        server 127.0.0.1:{app_port};
        keepalive 16;
    }}
    server {{
        listen {host}:{port} backlog=4096;
        location / {{
{proxy}            proxy_buffering on;
            proxy_intercept_errors off;
            error_page 502 503 504 = @safe;
        }}
        # Callbacks no caller waits on (ivr.twilio.webhooks.CALLBACKS): with Twilio's REST API, the
        # Twilio thread finds later at Twilio what one brought, so an empty 200 (an error
        # would leave an alert with the caller's number in Twilio's Debugger); without it,
        # the error goes back to Twilio as it is, and Twilio sends the callback again.
        location ~ ^/voice/(recording|status)$ {{
{proxy}{callbacks_not_taken}        }}
        location @later {{
            default_type text/xml;
            return 200 '<?xml version="1.0" encoding="UTF-8"?><Response />';
        }}
        location @safe {{
            default_type text/xml;
            return 200 '{safe_answer}';
        }}
{console}    }}
}}
"""
# The console's own workers, when it is served.
CONSOLE_UPSTREAM = """\
    upstream console {{
        server 127.0.0.1:{port};
        keepalive 4;
    }}
"""
CONSOLE_LOCATION = """\
        location /console {{
{proxy}            error_page 502 503 504 = @console_away;
        }}
        location @console_away {{
            default_type text/html;
            charset utf-8;
            add_header Cache-Control no-store always;
            add_header Retry-After 60 always;
            return 503 '{away}';
        }}
"""
# When the console's workers do not answer in time: the console says so, in its three
# languages, and that calls are not affected.
CONSOLE_AWAY = (
    '<!doctype html><html lang="fr"><meta charset="utf-8">'
    "<title>Console</title><main>"
    "<p>La console ne répond pas pour le moment. Les appels sont pris comme d'habitude. "
    "Réessayez dans une minute.</p>"
    '<p lang="nl">De console antwoordt nu niet. Oproepen worden gewoon beantwoord. '
    "Probeer het over een minuut opnieuw.</p>"
    '<p lang="en">The console is not answering right now. Calls are answered as usual. '
    "Try again in a minute.</p></main></html>"
)
CONSOLE_WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quoted(text: str) -> str:
    """`text` as a string of nginx's configuration, between single quotes."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def nginx_conf(
    run: Path,
    host: str,
    port: int,
    app_port: int,
    max_body: int,
    console_port: int | None = None,
    found_later: bool = False,
) -> str:
    """nginx in front of the calls' gunicorn on `app_port` and, with `console_port`, of the
    console's. `found_later`: the Twilio thread finds at Twilio what a callback brought
    (Twilio's REST API is set), so a callback gunicorn cannot answer gets an empty 200."""
    user = ""
    if os.geteuid() == 0:
        # nginx's workers would run as nobody, who cannot use our folder: as its owner.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n"
    upstream, console = "", ""
    if console_port is not None:
        upstream = CONSOLE_UPSTREAM.format(port=console_port)
        proxy = PROXY.format(upstream="console")
        console = CONSOLE_LOCATION.format(proxy=proxy, away=quoted(CONSOLE_AWAY))
    conf = NGINX_CONF.format(
        user=user,
        run=run,
        host=host,
        port=port,
        app_port=app_port,
        max_body=max_body,
        proxy=PROXY.format(upstream="router"),
        callbacks_not_taken="            error_page 502 503 504 = @later;\n" if found_later else "",
        safe_answer=quoted(safe.LAST_RESORT),
        console=console,
    )
    return conf.replace("    upstream router {", upstream + "    upstream router {", 1)


def wait_for_port(port: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def gunicorn_command(bind: str, app: str = "ivr.app:create_app()", *extra: str) -> list[str]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return [
        str(gunicorn) if gunicorn.exists() else "gunicorn",
        "--config",
        "python:ivr.deploy.gunicorn_config",
        "--bind",
        bind,
        *extra,
        app,
    ]


def console_served() -> bool:
    from ivr.settings import Settings  # the settings are read once, there

    return Settings.from_env().console


def shared_metrics() -> None:
    """One folder for every worker's figures, both pools' (`GET /metrics` adds them up, and
    the console's board reads the calls'), emptied once here rather than by each gunicorn."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):  # figures of a previous run are not this run's
            os.remove(os.path.join(folder, name))
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="ivr-metrics-")
    os.environ["IVR_METRICS_EMPTIED"] = "1"


def main(argv: list[str] | None = None) -> int:
    port = int(os.environ.get("PORT", "5000"))
    host = os.environ.get("IVR_LISTEN", "0.0.0.0")
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None
    )
    if nginx is None:
        print(
            "ivr serve: nginx is not installed; gunicorn serves alone, and slow clients can "
            "hold its workers (docs/deploy.md)",
            file=sys.stderr,
            flush=True,
        )
        os.execvp(gunicorn_command(f"{host}:{port}")[0], gunicorn_command(f"{host}:{port}"))
    run = Path(tempfile.mkdtemp(prefix="ivr-serve-"))
    shared_metrics()
    app_port = free_port()
    console_port = free_port() if console_served() else None
    conf = run / "nginx.conf"
    try:
        found_later = Settings.from_env().twilio_api
    except SettingsError:  # gunicorn's app says what is wrong with them, and does not start
        found_later = False
    conf.write_text(
        nginx_conf(run, host, port, app_port, MAX_BODY_BYTES, console_port, found_later),
        encoding="utf-8",
    )
    pools = {"gunicorn": (app_port, "ivr.app:create_app(serves='calls')", ())}
    if console_port is not None:
        workers = os.environ.get("IVR_CONSOLE_WORKERS") or str(CONSOLE_WORKERS)
        console_app = "ivr.app:create_app(serves='console')"
        pools["the console's gunicorn"] = (console_port, console_app, ("--workers", workers))
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, (pool_port, app, extra) in pools.items():
            processes[name] = subprocess.Popen(
                gunicorn_command(f"127.0.0.1:{pool_port}", app, *extra)
            )
        for name, (pool_port, _, _) in pools.items():
            if not wait_for_port(pool_port) or processes[name].poll() is not None:
                print(f"ivr serve: {name} did not start", file=sys.stderr, flush=True)
                return 1
        processes["nginx"] = subprocess.Popen(
            [nginx, "-c", str(conf), "-p", str(run), "-e", "stderr"]
        )
        return supervise(processes)
    finally:
        stop(processes.pop("nginx", None), signal.SIGQUIT)  # finish what is under way
        for process in processes.values():
            stop(process, signal.SIGTERM)
        shutil.rmtree(run, ignore_errors=True)


def supervise(processes: dict[str, subprocess.Popen]) -> int:
    """Until any ends, or we are asked to stop: then all stop."""
    stopping = []

    def ask_to_stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, ask_to_stop)
    signal.signal(signal.SIGINT, ask_to_stop)
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"ivr serve: {name} ended ({process.returncode})", file=sys.stderr)
                return process.returncode or 1
        time.sleep(0.2)
    return 0


def stop(process: subprocess.Popen | None, how: int, seconds: float = 10) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(how)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


if __name__ == "__main__":
    sys.exit(main())
