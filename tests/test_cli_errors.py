"""Every operator command answers a mistake or a failure with one line on stderr,
`ivr <command>: what is wrong and how to fix it`, exit status 1 or 2, and never a traceback."""

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pytest
from support.helpers import ROOT, brussels
from support.loopback import free_port

from ivr.cli import common, main, moments, operations, schedules
from ivr.store import Store
from ivr.store.messages import Messages
from ivr.store.overrides import Overrides


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def one_line(capsys, *argv) -> tuple[int, str]:
    """The exit status and the one line the operator sees, when that is all there is."""
    code, out, err = run(capsys, *argv)
    assert out == ""
    assert err.count("\n") == 1, err
    return code, err.rstrip("\n")


# -- dates out of range, impossible, or in another time zone ---------------------------------

RANGE = "is out of range: give a year from 2000 to 2099"


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["call", "1712", "--at", "9999-12-31 23:00"], f"ivr call: '9999-12-31 23:00' {RANGE}"),
        (["status", "--at", "1999-12-31 23:00"], f"ivr status: '1999-12-31 23:00' {RANGE}"),
        (["schedule", "--week", "9999-W52"], f"ivr schedule: '9999-W52' {RANGE}"),
        (["schedule", "--week", "0001-W01"], f"ivr schedule: '0001-W01' {RANGE}"),
        (["holidays", "--year", "99999"], f"ivr holidays: --year 99999 {RANGE}"),
        (["holidays", "--year", "0"], f"ivr holidays: --year 0 {RANGE}"),
        (
            ["stats", "--from", "0001-01-01", "--to", "9999-12-31"],
            f"ivr stats: --from 0001-01-01 {RANGE}",
        ),
        (
            ["override", "1712", "closed", "--until", "9999-12-31", "--reason", "x"],
            f"ivr override: '9999-12-31' {RANGE}",
        ),
    ],
)
def test_dates_out_of_range_are_refused(capsys, argv, line):
    assert one_line(capsys, *argv) == (2, line)


def test_the_first_and_last_years_work(capsys):
    assert run(capsys, "holidays", "--year", "2000")[0] == 0
    assert run(capsys, "status", "--at", "2099-12-31 23:59")[0] == 0
    code, out, _ = run(capsys, "schedule", "1712", "--week", "2099-W52", "--at", "2099-12-31 23:59")
    assert code == 0 and "  Fri 25 Dec  closed   (closed: Kerstmis)" in out
    # Until the end of the year after the last one (a year ahead of its last day), the
    # holidays package knows Belgium's public holidays.
    assert "2100-12-25" in {str(day) for day in schedules.holidays_package.BE(years=2100)}


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["status", "--at", "2026-02-30"],
            "ivr status: '2026-02-30' does not exist (day is out of range for month); "
            "write 2026-12-24 18:30 or 18:30",
        ),
        (
            ["call", "1712", "--at", "2026-12-24 25:00"],
            "ivr call: '2026-12-24 25:00' does not exist (hour must be in 0..23); "
            "write 2026-12-24 18:30 or 18:30",
        ),
        (
            ["stats", "--from", "2026-02-30", "--to", "2026-12-31"],
            "ivr stats: '2026-02-30' does not exist (day is out of range for month); "
            "write --from 2026-01-01 --to 2026-12-31",
        ),
        (
            ["stats", "--from", "2026-12-31", "--to", "2026-01-01"],
            "ivr stats: --to 2026-01-01 is before --from 2026-12-31; "
            "write --from 2026-01-01 --to 2026-12-31",
        ),
        (
            ["schedule", "--week", "2025-W53"],
            "ivr schedule: '2025-W53' does not exist (Invalid week: 53); write it like 2026-W52",
        ),
    ],
)
def test_impossible_dates_are_explained(capsys, argv, line):
    assert one_line(capsys, *argv) == (2, line)


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["call", "1712", "--at", "2026-12-24 18:30+05:00"],
            "ivr call: times are Brussels time (+01:00 then); "
            "drop the +05:00 from '2026-12-24 18:30+05:00'",
        ),
        (
            ["status", "--at", "2026-07-01 09:00Z"],
            "ivr status: times are Brussels time (+02:00 then); "
            "drop the Z from '2026-07-01 09:00Z'",
        ),
        (
            ["override", "1712", "closed", "--until", "2099-01-01 10:00-0300", "--reason", "x"],
            "ivr override: times are Brussels time (+01:00 then); "
            "drop the -0300 from '2099-01-01 10:00-0300'",
        ),
    ],
)
def test_a_time_in_another_zone_is_refused(capsys, argv, line):
    assert one_line(capsys, *argv) == (2, line)
    assert Store().overrides.history() == []


def test_brussels_own_offset_is_accepted(capsys):
    assert (
        run(capsys, "status", "--at", "2026-12-24 18:30+01:00")[1]
        == (run(capsys, "status", "--at", "2026-12-24 18:30")[1])
    )
    # The night the clocks go back, 02:30 comes twice: the offset says which one.
    first = moments.parse_moment("2026-10-25 02:30+02:00")
    second = moments.parse_moment("2026-10-25 02:30+01:00")
    assert first.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


# -- overrides the database could not keep, or should not ------------------------------------


def test_an_override_longer_than_a_year_is_refused(capsys):
    argv = ["override", "1712", "closed", "--reason", "x", "--at", "2026-11-24 10:00"]
    assert one_line(capsys, *argv, "--until", "2027-11-24 10:01") == (
        2,
        "ivr override: --until 2027-11-24 10:01 is more than a year away; an override is for "
        "a while: change the schedule instead",
    )
    assert Store().overrides.history() == []
    assert run(capsys, *argv, "--until", "2027-11-24 10:00")[0] == 0


def test_a_reason_longer_than_the_database_keeps_is_refused(capsys):
    code, line = one_line(capsys, "override", "1712", "closed", "--reason", "x" * 501)
    assert (code, line) == (2, "ivr override: --reason is 501 characters long; keep it to 500")
    assert Store().overrides.history() == []
    code, out, _ = run(capsys, "override", "1712", "closed", "--reason", "x" * 500)
    assert code == 0
    assert [row["reason"] for row in Store().overrides.history()] == ["x" * 500]


def test_an_operator_name_longer_than_the_database_keeps_is_refused(capsys, monkeypatch):
    monkeypatch.setenv("IVR_OPERATOR", "m" * 101)
    assert one_line(capsys, "override", "1712", "--clear") == (
        2,
        "ivr override: the operator name (IVR_OPERATOR) is 101 characters long; keep it to 100",
    )


# -- files that cannot be written -----------------------------------------------------------


def test_a_file_in_a_missing_folder(capsys, tmp_path):
    missing = tmp_path / "missing"
    for argv in (
        ["stats", "--from", "2026-01-01", "--to", "2026-12-31", "--output"],
        ["schedule", "--html"],
    ):
        code, line = one_line(capsys, *argv, str(missing / "x"))
        assert (code, line) == (
            1,
            f"ivr {argv[0]}: cannot write {missing / 'x'}: the folder {missing} does not exist; "
            "create it or choose another file",
        )
    assert not missing.exists()


def test_a_folder_instead_of_a_file(capsys, tmp_path):
    argv = ["stats", "--from", "2026-01-01", "--to", "2026-12-31", "--output", str(tmp_path)]
    assert one_line(capsys, *argv) == (
        1,
        f"ivr stats: cannot write {tmp_path}: it is a folder; give a file name in it",
    )


# -- a configuration that cannot be read ----------------------------------------------------


def break_config(config_copy, text: str) -> None:
    path = config_copy / "1712.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize(
    "bad",
    ["recursive: &loop [1, *loop]\n", f"huge: {'9' * 5000}\n"],
    ids=["recursive-alias", "5000-digits"],
)
@pytest.mark.parametrize("command", ["status", "schedule", "holidays", "call"])
def test_a_configuration_that_cannot_be_read(capsys, config_copy, bad, command):
    """Whether the reader gives up (an exception) or explains (a problem), one line."""
    break_config(config_copy, bad)
    argv = [command, "--config", str(config_copy)] + (["1712"] if command == "call" else [])
    code, line = one_line(capsys, *argv)
    assert code in (1, 2)
    assert line.startswith(f"ivr {command}: ") and line.endswith("; run 'ivr check'")


def test_an_exception_from_the_configuration_reader(capsys, monkeypatch):
    def broken(*args):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(common.config_module, "load", broken)
    assert one_line(capsys, "status", "--config", "somewhere") == (
        1,
        "ivr status: cannot read the configuration in somewhere: RecursionError: maximum "
        "recursion depth exceeded (a YAML alias that contains itself?); run 'ivr check'",
    )
    assert one_line(capsys, "check", "somewhere") == (
        1,
        "ivr check: cannot read the configuration in somewhere: RecursionError: maximum "
        "recursion depth exceeded (a YAML alias that contains itself?)",
    )


def test_a_configuration_with_errors_is_one_line(capsys, config_copy):
    path = config_copy / "1712.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("when_open: open", "when_open: nowhere"), encoding="utf-8")
    code, line = one_line(capsys, "status", "--config", str(config_copy))
    assert code == 2
    assert line.startswith("ivr status: the configuration has 1 error(s), the first: ")
    assert "1712.yaml:" in line and line.endswith("; run 'ivr check'")


# -- a database that is away ----------------------------------------------------------------

DATABASE_COMMANDS = [
    ["status"],
    ["override", "1712", "closed", "--reason", "x"],
    ["override", "1712", "--clear"],
    ["override-log"],
    ["stats", "--from", "2026-01-01", "--to", "2026-12-31"],
    ["db", "upgrade"],
    ["db", "status"],
    ["voicemails"],
]


@pytest.mark.parametrize("argv", DATABASE_COMMANDS, ids=" ".join)
def test_a_database_nobody_listens_on(capsys, monkeypatch, argv):
    port = free_port()
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://ivr:s3cret-pw@127.0.0.1:{port}/ivr")
    code, line = one_line(capsys, *argv)
    assert code == 1
    assert line.startswith(
        f"ivr {argv[0]}: cannot reach the database postgresql+psycopg://ivr:***@127.0.0.1:"
        f"{port}/ivr: connection failed: "
    )
    assert "Connection refused" in line
    assert line.endswith("; is it running, and is DATABASE_URL right?")
    assert "s3cret" not in line


class SilentServer:
    """Accepts TCP connections and never says a word; lets them go after `hold` seconds, and
    stops when told."""

    def __init__(self, hold: float = 15):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.hold, self.stopping, self.held = hold, threading.Event(), []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stopping.is_set():
            try:
                self.held.append((self.socket.accept()[0], time.monotonic()))
            except TimeoutError:
                pass
            while self.held and time.monotonic() - self.held[0][1] > self.hold:
                self.held.pop(0)[0].close()
        for connection, _ in self.held:
            connection.close()
        self.socket.close()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.stop()


def test_a_database_that_never_answers_is_given_up_on(capsys, monkeypatch, silent_server):
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "")  # so that monkeypatch removes it at the end
    monkeypatch.delenv("PGCONNECT_TIMEOUT")
    url = f"postgresql+psycopg://ivr:s3cret-pw@127.0.0.1:{silent_server.port}/ivr"
    monkeypatch.setenv("DATABASE_URL", url)
    started = time.monotonic()
    code, line = one_line(capsys, "voicemails")
    assert time.monotonic() - started < 8
    assert (code, line) == (
        1,
        f"ivr voicemails: cannot reach the database postgresql+psycopg://ivr:***@127.0.0.1:"
        f"{silent_server.port}/ivr: connection timeout expired; is it running, and is "
        "DATABASE_URL right?",
    )
    assert "PGCONNECT_TIMEOUT" not in os.environ  # set for the command only


def test_the_timeout_an_operator_chose_is_kept(monkeypatch):
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "30")
    during = []

    def list_voicemails(self, line=None, states=()):
        during.append(os.environ["PGCONNECT_TIMEOUT"])
        return []

    monkeypatch.setattr(Messages, "list", list_voicemails)
    assert main(["voicemails"]) == 0
    assert during == ["30"]
    assert os.environ["PGCONNECT_TIMEOUT"] == "30"


@pytest.mark.parametrize(
    ("url", "line"),
    [
        (
            "nonsense",
            "ivr voicemails: DATABASE_URL is not a database the router can use (Could not parse "
            "SQLAlchemy URL from given URL string); write it like "
            "postgresql+psycopg://user:password@host:5432/ivr",
        ),
        (
            "mysql://ivr:s3cret-pw@db/ivr",
            "ivr voicemails: DATABASE_URL is not a database the router can use (No module named "
            "'MySQLdb'); write it like postgresql+psycopg://user:password@host:5432/ivr",
        ),
    ],
)
def test_a_database_url_the_router_cannot_use(capsys, monkeypatch, url, line):
    monkeypatch.setenv("DATABASE_URL", url)
    assert one_line(capsys, "voicemails") == (1, line)


def test_a_schema_behind_the_code_or_a_value_the_database_refuses(capsys, monkeypatch):
    from sqlalchemy.exc import DataError

    def behind(*args):
        raise RuntimeError("the database schema is at nothing, not 0001: run 'ivr db upgrade'")

    monkeypatch.setattr(Messages, "list", behind)
    assert one_line(capsys, "voicemails") == (
        1,
        "ivr voicemails: the database schema is at nothing, not 0001: run 'ivr db upgrade'",
    )

    def refused(*args, **kwargs):
        raise DataError("INSERT", {}, Exception("value too long for type character varying(32)"))

    monkeypatch.setattr(Overrides, "set", refused)
    code, line = one_line(capsys, "override", "1712", "closed", "--reason", "x")
    assert code == 1
    assert line.startswith("ivr override: the database sqlite:///")
    assert line.endswith(" refused: value too long for type character varying(32)")


def test_a_trial_call_goes_on_without_the_database(capsys, monkeypatch):
    """The app itself keeps routing; its complaints are one line each, said once."""
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://ivr:pw@127.0.0.1:{free_port()}/x")
    code, out, err = run(
        capsys, "call", "1712", "--at", "2026-12-24 10:30", "--lang", "nl", "--press", "1"
    )
    assert code == 0 and out.splitlines()[-1] == "  the call ends"
    complaints = err.splitlines()
    assert complaints[0].startswith(
        "ivr call: warning: could not reach the database; calls go on with the overrides last "
        "known, messages wait on disk (OperationalError: "
    )
    assert len(complaints) == len(set(complaints)) <= 3


# -- whatever else goes wrong ---------------------------------------------------------------


def test_an_unexpected_error_is_one_line_without_the_numbers_in_it(capsys, monkeypatch):
    def broken(*args):
        raise ValueError("no way to reach +32470123456 or 0470 12 34 56")

    monkeypatch.setattr(operations, "line_status", broken)
    code, out, err = run(capsys, "status", "--at", "2026-12-24 18:30")
    assert (code, err) == (
        1,
        "ivr status: unexpected error: ValueError: no way to reach [number] or [number] "
        "(IVR_DEBUG=1 shows where)\n",
    )
    monkeypatch.setenv("IVR_DEBUG", "1")
    assert main(["status", "--at", "2026-12-24 18:30"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "in broken" in err
    assert err.splitlines()[-1].startswith("ivr status: unexpected error: ValueError: ")


# -- a reader that leaves early ------------------------------------------------------------


def test_piped_into_head(tmp_path):
    """`ivr stats | head -1`: more than a pipe holds, so the reader surely leaves first."""
    from sqlalchemy import insert

    from ivr.store import call_outcomes

    url = f"sqlite:///{tmp_path}/pipe.sqlite3"
    store = Store(url)
    store.migrate()
    start = brussels("2026-01-01 00:00").timestamp()
    rows = [
        {
            "hour": datetime.fromtimestamp(start + 3600 * hour, UTC),
            "line": "ecoute-violences-conjugales",
            "outcome": "completed",
            "language": "fr",
        }
        for hour in range(4000)
    ]
    with store.engine.begin() as conn:
        conn.execute(insert(call_outcomes), rows)
    ivr = f"{sys.executable} -m ivr"
    pipeline = f'{ivr} stats --from 2026-01-01 --to 2026-12-31 | head -1; exit "${{PIPESTATUS[0]}}"'
    result = subprocess.run(
        ["bash", "-c", pipeline],
        cwd=ROOT,
        env=dict(os.environ, DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout == "date,hour,line,outcome,language,calls\n"
    assert result.stderr == ""
    assert result.returncode == 1


def test_a_reader_gone_before_the_first_line(tmp_path):
    """`ivr schedule | head -1` when head is quicker than us: nothing is said, status 1."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ivr", "schedule"],
        cwd=ROOT,
        env=dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/pipe.sqlite3"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # long before Python has started and read the configuration
    err = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == 1
    assert err == ""
