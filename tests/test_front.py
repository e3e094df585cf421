"""The production web process on loopback, attacked: slow and oversized requests never reach a
worker's time, and callers meanwhile get their line's real answer, fast."""

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from support.helpers import ACCOUNT_SID, API_KEY, API_SECRET, OPS, ORIENTATION, TOKEN
from support.loopback import SlowClients, p99, place_calls

from ivr.twilio.simulate import Call, HttpClient

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None and not shutil.os.path.exists("/usr/sbin/nginx"),
    reason="nginx is not installed (.ci/run installs it)",
)
LANGUAGE_CHOICE = "Voor Nederlands, druk 2"  # orientation's first words: the real answer


def test_fifty_slow_clients_do_not_hold_up_calls(web):
    server = web(front=True, workers=4)
    with SlowClients(server.port, 50) as slow:
        time.sleep(2)  # all fifty connected and trickling
        results = place_calls(server.url, ORIENTATION, TOKEN, per_second=2, seconds=20)
        assert slow.opened >= 50
    assert len(results) == 40
    answered = [text for _, text in results if LANGUAGE_CHOICE in text]
    assert len(answered) == 40, [text[:80] for _, text in results if LANGUAGE_CHOICE not in text]
    assert p99([seconds for seconds, _ in results]) < 1.0


@pytest.mark.parametrize("front", [True, False], ids=["nginx in front", "gunicorn alone"])
def test_a_body_declared_too_large_is_refused_at_once(web, front):
    server = web(front=front, workers=1)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        started = time.monotonic()
        s.sendall(
            b"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1000000000000\r\n\r\n"
        )
        answer = s.recv(200)
    assert answer.startswith(b"HTTP/1.1 413")
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("rest_api", [False, True], ids=["without REST API", "with REST API"])
def test_when_gunicorn_cannot_answer_twilio_still_gets_the_safe_message(web, twilio, rest_api):
    rest = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_API_KEY": API_KEY,
        "TWILIO_API_SECRET": API_SECRET,
        "TWILIO_API_BASE": twilio.base,
    }
    server = web(front=True, workers=1, **(rest if rest_api else {}))
    assert (
        LANGUAGE_CHOICE
        in Call(HttpClient(), ORIENTATION, token=TOKEN, base_url=server.url).start().text
    )
    # The calls' gunicorn hangs (its master and its workers); nginx is still there.
    master = children(server.pid, "serves='calls'")
    gunicorn = master + [pid for m in master for pid in children(int(m))]
    assert len(gunicorn) == 2
    subprocess.run(["kill", "-STOP", *gunicorn], check=True)

    def post(path: str) -> tuple[int, str, float]:
        request = urllib.request.Request(f"{server.url}{path}", data=b"To=x", method="POST")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, response.read().decode(), time.monotonic() - started
        except urllib.error.HTTPError as exc:
            return exc.code, "", time.monotonic() - started

    try:
        with ThreadPoolExecutor(3) as pool:  # each waits out nginx's 12 s: all at once
            answers = list(pool.map(post, ("/voice", "/voice/recording", "/voice/status")))
    finally:
        subprocess.run(["kill", "-CONT", *gunicorn], check=False)
    (code, body, seconds), *callbacks = answers
    assert code == 200 and "112" in body and "107" in body and "<Response>" in body
    assert seconds < 15  # within Twilio's wait
    for code, body, _ in callbacks:
        if rest_api:
            # The Twilio thread finds later at Twilio what they brought: a 200, and no alert
            # with the caller's number in Twilio's Debugger.
            assert code == 200 and body.endswith("<Response />")
        else:
            # Without it, the error, so that Twilio sends them again: a 200 would lose the
            # message, or the call's record to delete at Twilio.
            assert code >= 500


def children(pid: int, name: str | None = None) -> list[str]:
    command = ["pgrep", "-P", str(pid)] + (["-f", name] if name else [])
    return subprocess.run(command, capture_output=True, text=True).stdout.split()


def test_metrics_need_the_credential_through_the_front_too(web):
    server = web(front=True, workers=1)
    Call(HttpClient(), ORIENTATION, token=TOKEN, base_url=server.url).start()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.url}/metrics", timeout=5)
    assert refused.value.code == 401
    request = urllib.request.Request(f"{server.url}/metrics", headers=OPS)
    with urllib.request.urlopen(request, timeout=5) as response:
        assert b"ivr_request_seconds" in response.read()


BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b]\n"


def test_a_hostile_file_dropped_into_a_running_servers_config(web, config_copy):
    server = web(front=True, workers=2, IVR_CONFIG_DIR=str(config_copy))
    call = Call(HttpClient(), ORIENTATION, token=TOKEN, base_url=server.url)
    assert LANGUAGE_CHOICE in call.start().text
    bomb = config_copy / "services.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    (config_copy / "huge.yaml").write_bytes(b"# " + b"x" * 5_000_000 + b"\n")
    time.sleep(3)  # every worker has looked at the files (each second)
    for _ in range(10):
        turn = Call(HttpClient(timeout=5), ORIENTATION, token=TOKEN, base_url=server.url).start()
        assert LANGUAGE_CHOICE in turn.text

    def problems() -> str:
        request = urllib.request.Request(f"{server.url}/healthz", headers=OPS)
        with urllib.request.urlopen(request, timeout=5) as response:
            refused = json.loads(response.read()).get("last_refused_change") or {}
            return " ".join(refused.get("problems", ()))

    # A worker may have looked between the two files: its next look refuses both.
    deadline = time.monotonic() + 15
    while not (str(bomb) in problems() and "huge.yaml" in problems()):
        assert time.monotonic() < deadline, problems()
        time.sleep(0.5)
