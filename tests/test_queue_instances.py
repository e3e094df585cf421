"""Two instances of the production process (gunicorn) sharing one PostgreSQL: 20 callers wait
for 5 counsellors on duty (issue 21). Never more offers than callers waiting, nobody waits past
max_wait plus 30 s, and the webhooks answer fast. Figures in benchmarks/RESULTS.md."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy
from conftest import (
    ACCOUNT_SID,
    API_KEY,
    API_SECRET,
    CONFIG,
    FORMER_TABLES,
    LINE_1712,
    MESSAGE_KEY,
    PROMPTS,
    TOKEN,
    add_operator,
    edit,
)
from support.loopback import p99

from ivr.store import Store, metadata
from ivr.twilio.simulate import Call, Counsellor, HttpClient
from ivr.twilio.standin import TwilioStandIn

POSTGRES = os.environ.get("IVR_TEST_POSTGRES_URL")
CALLERS, COUNSELLORS = 20, 5
PUBLIC = "http://ivr.example.test"


@pytest.fixture
def shared_postgres():
    if not POSTGRES:
        pytest.skip("no PostgreSQL server: set IVR_TEST_POSTGRES_URL")
    engine = sqlalchemy.create_engine(POSTGRES)
    with engine.begin() as conn:
        for table in (*metadata.tables, *FORMER_TABLES, "alembic_version"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    engine.dispose()
    store = Store(POSTGRES)
    store.migrate()
    return store


class Timed(HttpClient):
    """Alternately to each instance, like a round-robin balancer; each request timed."""

    def __init__(self, ports):
        self.ports, self.times, self.by_path, self.n = ports, [], {}, 0
        super().__init__(self.balance, timeout=20)

    def balance(self, url: str) -> str:
        self.n += 1
        return url.replace(PUBLIC, f"http://127.0.0.1:{self.ports[self.n % len(self.ports)]}")

    def post(self, url, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super().post(url, *args, **kwargs)
        finally:
            took = time.perf_counter() - started
            self.times.append(took)
            path = url.split("?")[0].removeprefix(PUBLIC)
            self.by_path.setdefault(path, []).append(took)


def test_twenty_callers_five_counsellors_two_instances(tmp_path, web, shared_postgres):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    shutil.copytree(PROMPTS, tmp_path / "prompts")
    # Open whenever the test runs (the servers keep the real time).
    edit(config / "1712.yaml", "mon-fri: 09:00-17:00", "every day: 00:00-24:00")
    edit(config / "1712.yaml", "  public_holidays: closed\n", "  public_holidays: open\n")
    edit(
        config / "1712.yaml", "    - date: 07-11\n      name: Fête de la Communauté flamande\n", ""
    )
    edit(config / "1712.yaml", "  closure_days:\n", "")
    twilio = TwilioStandIn(ACCOUNT_SID, API_KEY, API_SECRET)
    try:
        environment = {
            "DATABASE_URL": POSTGRES,
            "IVR_CONFIG_DIR": str(config),
            "IVR_PROMPTS_DIR": str(tmp_path / "prompts"),
            "IVR_PUBLIC_URL": PUBLIC,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_API_KEY": API_KEY,
            "TWILIO_API_SECRET": API_SECRET,
            "TWILIO_API_BASE": twilio.base,
            "IVR_MESSAGE_KEYS": MESSAGE_KEY,
            "IVR_QUEUE_SECONDS": "0.5",
        }
        ports = [web(workers=1, **environment).port for _ in range(2)]
        client = Timed(ports)
        store = shared_postgres
        now = datetime.now(UTC)
        names = [f"counsellor{n}" for n in range(COUNSELLORS)]
        for n, name in enumerate(names):
            add_operator(store, name, "counsellor", at=now)
            store.duty.start(name, ["1712"], f"0470 00 00 0{n}", now=now)
        time.sleep(1.5)  # each instance's queue thread has read who is on duty
        callers = []
        for n in range(CALLERS):
            c = Call(client, LINE_1712, token=TOKEN, base_url=PUBLIC, sid="CA" + f"{n + 1:032x}")
            c.exchange = twilio
            c.start()
            c.press("2")  # French
            assert c.turn.kind == "Enqueue", c.turn.text
            c.started = time.monotonic()
            callers.append(c)
        handled, most_outstanding, worst_excess, joined = 0, 0, 0, []
        deadline = time.monotonic() + 120
        while any(c.turn.kind == "Enqueue" for c in callers) and time.monotonic() < deadline:
            waiting = len(twilio.queues.get("1712-fr", []))
            outstanding = len(twilio.placed) - handled
            most_outstanding = max(most_outstanding, outstanding)
            worst_excess = max(worst_excess, outstanding - waiting)
            for placed in twilio.placed[handled:]:
                handled += 1
                leg = Counsellor(client, placed, twilio, token=TOKEN).answers("1")
                if leg.caller is not None:
                    joined.append(leg)
            # Conversations end; the counsellor says they are ready again at once.
            for leg in joined:
                leg.hangs_up(seconds=1)
            for leg in joined:
                shift = [
                    s
                    for s in store.duty.on_duty(now=datetime.now(UTC))
                    if s["phone"] == leg.placed["To"]
                ]
                if shift:
                    store.duty.ready(shift[0]["name"], now=datetime.now(UTC))
            joined = []
            for c in callers:  # Twilio asks again for the wait documents of those waiting
                if c.waiting_in_queue:
                    c.queue_time = int(time.monotonic() - c.started)
                    c.wait(0)
            time.sleep(0.3)
        waited = [c.queue_time for c in callers]
        print(
            f"\nqueue benchmark: {CALLERS} callers, {COUNSELLORS} counsellors, 2 instances: "
            f"offers placed {len(twilio.placed)}, most outstanding at once {most_outstanding}, "
            f"worst offers-minus-waiting {worst_excess}, longest wait {max(waited)} s, "
            f"webhook p99 {p99(client.times) * 1000:.0f} ms over {len(client.times)} requests; "
            + ", ".join(
                f"{path} p50 {sorted(t)[len(t) // 2] * 1000:.0f} ms p99 {p99(t) * 1000:.0f} ms "
                f"({len(t)})"
                for path, t in sorted(client.by_path.items())
            )
        )
        assert all(c.turn.kind != "Enqueue" for c in callers), "callers still waiting"
        assert worst_excess <= 0  # never more offers than callers waiting
        assert max(waited) <= 300 + 30
        assert p99(client.times) < 0.1 * 5  # loose on a shared 2-core machine; see RESULTS.md
    finally:
        twilio.close()
