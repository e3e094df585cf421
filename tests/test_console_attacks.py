"""The console attacked, on loopback with real processes, bounded in time: guesses in parallel on
two instances (SQLite and PostgreSQL), and the console hammered while the database hangs."""

from __future__ import annotations

import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from support.helpers import CONSOLE_SECRET, ORIENTATION, TOKEN, add_operator, brussels, password_of
from support.loopback import place_calls
from test_phone_console import CONSOLE, CONSOLE_YAML, MARIE, PIN

from ivr.console.accounts import MOST_FAILURES_PER_ACCOUNT, hash_password
from ivr.console.phone_calls import MOST_WRONG_PINS
from ivr.store import Store
from ivr.twilio.simulate import Call, HttpClient

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
GUESSES = 16  # at once, on two instances of two workers each


@pytest.fixture
def two_instances(database, web, config_copy):
    """Two instances of the service (two gunicorn workers each) on one database, with the
    phone console configured; an account 'ana' and a coordinator 'marie' with a PIN."""
    store = Store(database)
    store.migrate()
    add_operator(store, "ana", "coordinator")
    add_operator(store, "marie", "coordinator")
    store.operators.set_pin("marie", hash_password(PIN), by="test", at=brussels("2026-11-24 10:00"))
    (config_copy / "console.yaml").write_text(CONSOLE_YAML, encoding="utf-8")
    servers = [
        web(
            workers=2,
            DATABASE_URL=database,
            IVR_CONFIG_DIR=str(config_copy),
            IVR_CONSOLE_SECRET=CONSOLE_SECRET,
        )
        for _ in range(2)
    ]
    return store, servers


def at_once(jobs) -> list:
    """Runs the jobs in threads released together; their results in order."""
    start = threading.Barrier(len(jobs))

    def run(job):
        start.wait(timeout=30)
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs, timeout=60))


def wrong_login(base: str):
    """A browser on the login page, ready to send a wrong password: the job that sends it."""
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{base}/console/login", timeout=10).text).group(1)

    def send() -> int:
        data = {"csrf_token": token, "name": "ana", "password": "a wrong guess"}
        return browser.post(f"{base}/console/login", data=data, timeout=30).status_code

    return send


def test_parallel_wrong_passwords_on_two_instances_get_no_more_checks_than_the_limit(
    two_instances,
):
    store, servers = two_instances
    jobs = [wrong_login(servers[n % 2].url) for n in range(GUESSES)]
    statuses = at_once(jobs)
    assert sorted(statuses) == [401] * MOST_FAILURES_PER_ACCOUNT + [429] * (
        GUESSES - MOST_FAILURES_PER_ACCOUNT
    )
    failed = [e for e in store.audit.entries() if e["action"] == "login failed"]
    assert len(failed) == MOST_FAILURES_PER_ACCOUNT


def wrong_pin(base: str, n: int):
    """A coordinator's call to the phone console, asked for the PIN: the job that enters a
    wrong one."""
    call = Call(
        HttpClient(timeout=30), CONSOLE, token=TOKEN, caller=MARIE, sid=f"CA{n:032x}", base_url=base
    )
    assert "Entrez votre code" in call.start().text

    def send() -> str:
        return call.press("111111").text

    return send


def test_parallel_wrong_pins_on_two_instances_get_no_more_checks_than_the_limit(two_instances):
    store, servers = two_instances
    jobs = [wrong_pin(servers[n % 2].url, n) for n in range(GUESSES)]
    heard = at_once(jobs)

    def checked() -> int:
        return len([e for e in store.audit.entries() if e["detail"] == "wrong phone console PIN"])

    wrong = [text for text in heard if "pas le bon" in text]
    locked = [text for text in heard if "Réessayez dans un quart d'heure" in text]
    # On a loaded machine a worker's database thread, busy with the others' PINs (scrypt),
    # may not get to one within its wait: that caller hears the console is not available,
    # its PIN unchecked. Whatever the timing, no more PINs are checked than the limit.
    away = [text for text in heard if "pas disponible" in text]
    assert len(wrong) + len(locked) + len(away) == GUESSES, heard
    assert len(wrong) <= MOST_WRONG_PINS - 1 and checked() <= MOST_WRONG_PINS
    # The guesses the burst did not check, one at a time: the account locks at the limit.
    for n in range(GUESSES, GUESSES + MOST_WRONG_PINS):
        if locked:
            break
        text = wrong_pin(servers[n % 2].url, n)()
        if "quart d'heure" in text:
            locked.append(text)
    assert locked and checked() == MOST_WRONG_PINS


LANGUAGE_CHOICE = "Voor Nederlands, druk 2"  # orientation's first words: the line's own answer


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_the_console_hammered_while_the_database_hangs_delays_no_call(postgres, web):
    """Six clients send logins in a loop while PostgreSQL is frozen (SIGSTOP: connections are
    accepted, nothing answers): calls are answered as fast as ever, the console says the
    database is not answering, and works again once it is back."""
    store = Store(postgres.url)
    store.migrate()
    add_operator(store, "ana", "coordinator")
    server = web(
        front=True, workers=2, DATABASE_URL=postgres.url, IVR_CONSOLE_SECRET=CONSOLE_SECRET
    )
    assert login(server.url, password_of("ana")) == 302  # the console works, and has booted
    place_calls(server.url, ORIENTATION, TOKEN, per_second=4, seconds=1)
    console: list[tuple[float, int]] = []  # how long each login took, and its status
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = login(server.url, "a guess", timeout=20)
            except requests.RequestException:
                status = 0
            console.append((time.monotonic() - started, status))

    postgres.freeze()
    try:
        hammering = [threading.Thread(target=hammer) for _ in range(6)]
        for thread in hammering:
            thread.start()
        time.sleep(1)
        calls = place_calls(server.url, ORIENTATION, TOKEN, per_second=2, seconds=10)
        stop.set()
        for thread in hammering:
            thread.join(timeout=30)
    finally:
        postgres.thaw()
    assert [text for _, text in calls if LANGUAGE_CHOICE not in text] == []
    assert len(calls) == 20 and max(seconds for seconds, _ in calls) < 1.0, sorted(calls)[-3:]
    # Every login was answered, each within nginx's wait: "not answering" (503), never a hang.
    assert len(console) >= 6 and {status for _, status in console} == {503}, console
    assert max(seconds for seconds, _ in console) < 13
    assert login(server.url, password_of("ana")) == 302  # the database is back: so is the console


def login(base: str, password: str, timeout: float = 10) -> int:
    """A browser logs in as ana (the login page, then its form): the form's HTTP status."""
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{base}/console/login", timeout=timeout).text).group(1)
    data = {"csrf_token": token, "name": "ana", "password": password}
    response = browser.post(
        f"{base}/console/login", data=data, timeout=timeout, allow_redirects=False
    )
    return response.status_code
