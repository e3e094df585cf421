"""Speed of the router, measured against a bare Flask app (see RESULTS.md).

    .venv/bin/python benchmarks/bench.py [--seconds 10] [--rounds 3] [--breakdown]
        [--connections 50] [--workers 4] [--skip-load | --skip-curve]

Starts the router under gunicorn with the shipped configuration and, in the same run, a bare
Flask app that answers a fixed TwiML document of the same size; loads them in turn, round
after round, with wrk (Debian's package `wrk`): the same request with Twilio's usual fields,
the same connections, the same time. Prints requests per second, p50/p99 latency and the CPU
time the workers spent per request, for `POST /voice` and for a menu answer, and the router's
share of the bare app's throughput (the median of the rounds). With --breakdown, also the
router without its per-request log line and without signature checks, to show what each
costs. Then times the routing decision itself, in process, as the configuration grows to 200
lines of 50 rules each. Everything runs on loopback and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "benchmark-token"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app: str, workers: int, env: dict, scratch: Path) -> tuple[subprocess.Popen, int]:
    """Under the production settings (ivr/gunicorn_config.py, as the Procfile), but for the
    port, the number of workers and worker recycling: at benchmark rates, recycling after
    10 000 requests would restart every worker every few seconds, which production never sees."""
    port = free_port()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(scratch / f"metrics-{port}"), **env}
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config",
            "python:ivr.gunicorn_config",
            "--max-requests",
            "0",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "10",
            app,
        ],
        cwd=ROOT,
        env=dict(os.environ, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(0.5)  # let every worker boot
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"{app} did not start")


def worker_cpu(server: subprocess.Popen) -> float:
    """CPU seconds (user and system) used so far by a gunicorn's workers (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    total = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that just ended
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def signed(port: int, path: str, params: dict) -> tuple[str, str, str]:
    url = f"http://127.0.0.1:{port}{path}"
    body = urllib.parse.urlencode(params)
    return url, body, RequestValidator(TOKEN).compute_signature(url, params)


def post(url: str, body: str, signature: str) -> bytes:
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        return response.read()


def wrk(url: str, body: str, signature: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            f'wrk.method = "POST"\nwrk.body = {body!r}\n'.replace("'", '"')
            + 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
            + f'wrk.headers["X-Twilio-Signature"] = "{signature}"\n'
        )
    out = subprocess.run(
        [
            "wrk",
            "--latency",
            "-t2" if connections > 1 else "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            script.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


# What Twilio posts on every request of a call (see ../shared/TWILIO_NOTES.md).
CALL = {
    "CallSid": "CA" + "0" * 32,
    "AccountSid": "AC" + "0" * 32,
    "From": "+32470000000",
    "To": "+3220000100",
    "Caller": "+32470000000",
    "Called": "+3220000100",
    "CallStatus": "in-progress",
    "Direction": "inbound",
    "ApiVersion": "2010-04-01",
    "FromCountry": "BE",
    "FromCity": "",
    "ToCountry": "BE",
    "ToCity": "BRUXELLES",
}
ACTION = re.compile(r'action="http://[^/]+(/voice/next\?s=[^"]+)"')


# The router as shipped and, with --breakdown, without each piece of work it does on every
# request, to show what each costs. The state in our URLs is signed with the same secret by
# all, so one call's URLs are good on each.
VARIANTS = {
    "router": {},
    "router, log level WARNING": {"IVR_LOG_LEVEL": "WARNING"},
    "router, signatures not checked": {"TWILIO_AUTH_TOKEN": "", "IVR_INSECURE": "1"},
    "router, neither": {"IVR_LOG_LEVEL": "WARNING", "TWILIO_AUTH_TOKEN": "", "IVR_INSECURE": "1"},
}


def load_tests(args) -> list[str]:
    """All apps are up at once, idle but for the one being loaded; each round loads them in
    turn with the very same request, so that a slower minute of a shared machine falls on
    all. The figures are the medians of the rounds."""
    data = Path(tempfile.mkdtemp(prefix="ivr-bench-"))
    router_env = {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "IVR_SECRET": TOKEN,
        "DATABASE_URL": f"sqlite:///{data}/bench.sqlite3",
        "IVR_LOG_FORMAT": "json",
        "IVR_CONFIG_DIR": str(ROOT / "config"),
    }
    variants = VARIANTS if args.breakdown else {"router": {}}
    servers, ports = {}, {}
    try:
        for name, changes in variants.items():
            server, ports[name] = serve(
                "ivr:create_app()", args.workers, router_env | changes, data
            )
            servers[ports[name]] = server
        port = ports["router"]
        first = post(*signed(port, "/voice", CALL)).decode()
        # The menu answer: French at the language choice, then 1 at the main menu.
        menu = post(*signed(port, ACTION.search(first).group(1), dict(CALL, Digits="1")))
        menu_path = ACTION.search(menu.decode()).group(1)
        requests = {
            "POST /voice": ("/voice", CALL),
            "menu answer": (menu_path, dict(CALL, Digits="1")),
        }
        sizes = {
            "POST /voice": len(first),
            "menu answer": len(post(*signed(port, *requests["menu answer"]))),
        }
        for name, size in sizes.items():
            bare, ports[name] = serve(
                "benchmarks.bare_app:app", args.workers, {"BARE_BODY_SIZE": str(size)}, data
            )
            servers[ports[name]] = bare
        runs = {}
        for round_ in range(args.rounds):
            for name, (path, fields) in requests.items():
                # Every app gets the very request the router gets: path, query, fields and
                # the signature (made for its port).
                for app_name in [*variants, "bare Flask"]:
                    target = ports[name if app_name == "bare Flask" else app_name]
                    url, body, signature = signed(target, path, fields)
                    if round_ == 0:
                        wrk(url, body, signature, 2, args.connections)  # warm-up
                    cpu = worker_cpu(servers[target])
                    result = wrk(url, body, signature, args.seconds, args.connections)
                    cpu = worker_cpu(servers[target]) - cpu
                    result["cpu"] = cpu / max(result["requests"], 1) * 1e6
                    runs.setdefault((name, app_name), []).append(result)
    finally:
        for server in servers.values():
            server.terminate()
            server.wait()
        shutil.rmtree(data, ignore_errors=True)

    def median(results: list[dict], key: str) -> float:
        return sorted(r[key] for r in results)[len(results) // 2]

    lines = [
        "| request | app | bytes | req/s | p50 ms | p99 ms | non-2xx | worker CPU µs/req "
        "| of the bare app's req/s |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, size in sizes.items():
        theirs = runs[(name, "bare Flask")]
        for app_name in [*variants, "bare Flask"]:
            results = runs[(name, app_name)]
            # Each round's router run against the bare app's run next to it, then the median.
            ratios = [{"r": o["rps"] / t["rps"]} for o, t in zip(results, theirs, strict=True)]
            ratio = f"{median(ratios, 'r'):.0%}" if app_name != "bare Flask" else ""
            lines.append(
                f"| {name} | {app_name} | {size} | {median(results, 'rps'):.0f} | "
                f"{median(results, 'p50'):.2f} | {median(results, 'p99'):.2f} | "
                f"{sum(r['errors'] for r in results)} | {median(results, 'cpu'):.0f} | {ratio} |"
            )
    if args.rounds > 1:
        lines.append("")
        lines.append("Each round, req/s of the router as shipped / of the bare app:")
        for name in sizes:
            pairs = zip(runs[(name, "router")], runs[(name, "bare Flask")], strict=True)
            lines.append(
                f"- {name}: "
                + ", ".join(
                    f"{o['rps']:.0f}/{t['rps']:.0f} = {o['rps'] / t['rps']:.0%}" for o, t in pairs
                )
            )
    return lines


LINE_TEMPLATE = """id: line-{n}
name: Line {n}
numbers: ["+322{n:08d}"]
languages: [fr]
schedule:
  hours:
{hours}
  public_holidays: closed
  exceptions:
{exceptions}
contacts:
  team: "+3229{n:07d}"
when_open: open
when_closed: closed
steps:
  open:
    - say: emergency
    - transfer: team
      on_failure: closed
  closed:
    - say: [emergency, talk_now]
    - transfer: tele-accueil
"""


def write_config(folder: Path, lines: int) -> None:
    """`lines` lines of 50 rules each: 35 weekly windows and 15 dated exceptions."""
    shutil.copy(ROOT / "config" / "services.yaml", folder)
    shutil.copy(ROOT / "config" / "voices.yaml", folder)
    for name in ("ecoute-violences-conjugales.yaml", "1712.yaml"):  # services.yaml names them
        shutil.copy(ROOT / "config" / name, folder)
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    windows = ", ".join(f"{h:02d}:00-{h:02d}:45" for h in range(8, 18, 2))
    hours = "\n".join(f"    {day}: {windows}" for day in days)
    exceptions = "\n".join(
        f"    - dates: 2026-{m:02d}-{d:02d}\n      hours: 10:00-12:00\n"
        f"      status: {'closed' if d % 2 else 'open'}\n      reason: rule {m}-{d}"
        for m in range(1, 6)
        for d in (3, 13, 23)
    )
    for n in range(lines):
        (folder / f"line-{n}.yaml").write_text(
            LINE_TEMPLATE.format(n=n, hours=hours, exceptions=exceptions), encoding="utf-8"
        )


def decision_curve() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from ivr import config as config_module
    from ivr.flow import CallFlow

    lines = [
        "| lines | rules | µs per routing decision (median of 5 runs of 2000) |",
        "| ---: | ---: | ---: |",
    ]
    start = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    for count in (1, 10, 50, 100, 200):
        folder = Path(tempfile.mkdtemp(prefix="ivr-lines-")) / "config"
        folder.mkdir()
        write_config(folder, count)
        config, problems = config_module.load(folder, ROOT / "prompts")
        assert config is not None, [str(p) for p in problems if not p.warning][:3]
        targets = [config.lines[f"line-{n}"] for n in range(count)]
        runs = []
        for _ in range(5):
            began = time.perf_counter()
            for i in range(2000):
                now = start + timedelta(minutes=7 * i)  # across hours, days and rules
                CallFlow(config, now).answer(targets[i % count])
            runs.append((time.perf_counter() - began) / 2000 * 1e6)
        lines.append(f"| {count} | {count * 50} | {sorted(runs)[2]:.1f} |")
        shutil.rmtree(folder.parent, ignore_errors=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="router and bare app in turn")
    parser.add_argument("--skip-load", action="store_true", help="only the decision curve")
    parser.add_argument("--skip-curve", action="store_true", help="only the load tests")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also the router without its log line, without signature checks, without both",
    )
    args = parser.parse_args()
    if not args.skip_load and shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(
        f"load: wrk -t2 -c{args.connections} -d{args.seconds}s, gunicorn --workers "
        f"{args.workers} (sync), {args.rounds} rounds\n"
    )
    if not args.skip_load:
        print("\n".join(load_tests(args)))
        print()
    if not args.skip_curve:
        print("\n".join(decision_curve()))


if __name__ == "__main__":
    main()
