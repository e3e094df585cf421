"""Speed of the router, measured against a peer-style IVR and a bare Flask app (RESULTS.md).

    .venv/bin/python benchmarks/bench.py [--seconds 10] [--rounds 5] [--breakdown]
        [--connections 50] [--workers 4] [--skip-load | --skip-curve]

Starts, in the same run and under the same gunicorn settings, the router with the shipped
configuration; a peer-style app (benchmarks/peer_app.py: the same documents built with
twilio-python's VoiceResponse on every request, as Twilio's sample IVRs are, without signature
checks or logging); and a bare Flask app answering a fixed document of the same size. Loads
them in turn, round after round, with wrk (Debian's package `wrk`): the same request with
Twilio's usual fields, the same connections, the same time. Prints requests per second,
p50/p99 latency and the workers' CPU time per request, for `POST /voice` and for a menu answer,
and the router's share of the peer's and of the bare app's throughput, and its p99 against the
bare app's (medians of the rounds' pairs). With --breakdown, also the router without its log
line, without signature checks, and without its answer caches, to show what each costs. Then
times the routing decision itself, in process, as the configuration grows to 200 lines of 50
rules each. Everything runs on loopback (tests/support/loopback.py) and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from twilio.request_validator import RequestValidator

from tests.support import loopback

ROOT = loopback.ROOT
TOKEN = "benchmark-token"


def serve(app: str, workers: int, env: dict, scratch: Path) -> loopback.Server:
    """Under the production settings (ivr/deploy/gunicorn_config.py, as the Procfile), but for the
    port, the number of workers and worker recycling: at benchmark rates, recycling after
    10 000 requests would restart every worker every few seconds, which production never sees."""
    env = {"PROMETHEUS_MULTIPROC_DIR": str(scratch / f"metrics-{len(os.listdir(scratch))}"), **env}
    server = loopback.start(env, workers=workers, extra=("--max-requests", "0"), app=app)
    time.sleep(0.5)  # let every worker boot
    return server


def worker_cpu(server: loopback.Server) -> float:
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
    "router, answers not kept": {"IVR_ANSWER_CACHE": "0"},
}
PEER, BARE = "peer-style app", "bare Flask"


def load_tests(args) -> list[str]:
    """All apps are up at once, idle but for the one being loaded; each round loads them in
    turn with the very same request, so that a slower minute of a shared machine falls on
    all. The figures are the medians of the rounds."""
    data = Path(tempfile.mkdtemp(prefix="ivr-bench-"))
    router_env = {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "IVR_SECRET": TOKEN,
        "DATABASE_URL": f"sqlite:///{data}/bench.sqlite3",
        "IVR_SPOOL_DIR": str(data / "spool"),
        "IVR_LOG_FORMAT": "json",
        "IVR_CONFIG_DIR": str(ROOT / "config"),
    }
    variants = VARIANTS if args.breakdown else {"router": {}}
    servers: dict[str, loopback.Server] = {}
    try:
        for name, changes in variants.items():
            servers[name] = serve("ivr.app:create_app()", args.workers, router_env | changes, data)
        port = servers["router"].port
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
        servers[PEER] = serve("benchmarks.peer_app:app", args.workers, {}, data)
        for name, size in sizes.items():
            env = {"BARE_BODY_SIZE": str(size)}
            servers[f"{BARE} {name}"] = serve("benchmarks.bare_app:app", args.workers, env, data)
        peer_sizes = {
            name: len(post(*signed(servers[PEER].port, path, fields)))
            for name, (path, fields) in requests.items()
        }
        runs: dict[tuple[str, str], list[dict]] = {}
        for round_ in range(args.rounds):
            for name, (path, fields) in requests.items():
                # Every app gets the very request the router gets: path, query, fields and
                # the signature (made for its port).
                for app_name in [*variants, PEER, BARE]:
                    server = servers[f"{BARE} {name}" if app_name == BARE else app_name]
                    url, body, signature = signed(server.port, path, fields)
                    if round_ == 0:
                        wrk(url, body, signature, 2, args.connections)  # warm-up
                    cpu = worker_cpu(server)
                    result = wrk(url, body, signature, args.seconds, args.connections)
                    cpu = worker_cpu(server) - cpu
                    result["cpu"] = cpu / max(result["requests"], 1) * 1e6
                    runs.setdefault((name, app_name), []).append(result)
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(data, ignore_errors=True)

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    def paired(name: str, app_name: str, other: str, key: str) -> float:
        """The median over the rounds of app/other, each round's runs side by side."""
        mine, theirs = runs[(name, app_name)], runs[(name, other)]
        return median([o[key] / t[key] for o, t in zip(mine, theirs, strict=True)])

    lines = [
        "| request | app | bytes | req/s | p50 ms | p99 ms | non-2xx | worker CPU µs/req "
        "| req/s of the peer's | req/s of the bare app's | p99 / bare p99 |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, size in sizes.items():
        for app_name in [*variants, PEER, BARE]:
            results = runs[(name, app_name)]
            bytes_ = peer_sizes[name] if app_name == PEER else size
            of_peer = f"{paired(name, app_name, PEER, 'rps'):.0%}" if app_name != PEER else ""
            of_bare = f"{paired(name, app_name, BARE, 'rps'):.0%}" if app_name != BARE else ""
            p99 = f"{paired(name, app_name, BARE, 'p99'):.2f}" if app_name != BARE else ""
            lines.append(
                f"| {name} | {app_name} | {bytes_} | {median([r['rps'] for r in results]):.0f} | "
                f"{median([r['p50'] for r in results]):.2f} | "
                f"{median([r['p99'] for r in results]):.2f} | "
                f"{sum(r['errors'] for r in results)} | "
                f"{median([r['cpu'] for r in results]):.0f} | {of_peer} | {of_bare} | {p99} |"
            )
    lines.append("")
    lines.append("Each round, req/s of the router as shipped / of the peer / of the bare app:")
    for name in sizes:
        rounds = zip(runs[(name, "router")], runs[(name, PEER)], runs[(name, BARE)], strict=True)
        lines.append(
            f"- {name}: "
            + ", ".join(f"{o['rps']:.0f}/{p['rps']:.0f}/{b['rps']:.0f}" for o, p, b in rounds)
        )
    return lines


# Numbers in the placeholders' range, 02 000 00 00 to 02 000 99 99 (ivr.domain.phone.PLACEHOLDERS),
# apart from the shipped lines' own: the lines' from 02 000 20 00, their teams' from 02 000 50 00.
LINE_TEMPLATE = """id: line-{n}
name: Line {n}
numbers: ["+322000{line:04d}"]
languages: [fr]
schedule:
  hours:
{hours}
  public_holidays: closed
  exceptions:
{exceptions}
contacts:
  team: "+322000{team:04d}"
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
    shutil.copy(ROOT / "config" / "trunks.yaml", folder)
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
            LINE_TEMPLATE.format(
                n=n, line=2000 + n, team=5000 + n, hours=hours, exceptions=exceptions
            ),
            encoding="utf-8",
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
    parser.add_argument("--rounds", type=int, default=5, help="every app in turn, each round")
    parser.add_argument("--skip-load", action="store_true", help="only the decision curve")
    parser.add_argument("--skip-curve", action="store_true", help="only the load tests")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also the router without its log line, without signature checks, without caches",
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
