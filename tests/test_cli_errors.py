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
from conftest import ROOT, brussels
from servers import free_port

from ivr import cli
from ivr.cli import main
from ivr.store import Store


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

    monkeypatch.setattr(cli.config_module, "load", broken)
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
    monkeypatch.setattr(cli, "DATABASE_CONNECT_TIMEOUT", "2")  # the least psycopg waits
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
    with cli.database_timeout():
        assert os.environ["PGCONNECT_TIMEOUT"] == "30"
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

    monkeypatch.setattr(Store, "list_voicemails", behind)
    assert one_line(capsys, "voicemails") == (
        1,
        "ivr voicemails: the database schema is at nothing, not 0001: run 'ivr db upgrade'",
    )

    def refused(*args, **kwargs):
        raise DataError("INSERT", {}, Exception("value too long for type character varying(32)"))

    monkeypatch.setattr(Store, "set_override", refused)
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
        "ivr call: error: could not read the overrides; keeping the last ones known "
        "(OperationalError: connection failed: "
    )
    assert len(complaints) == len(set(complaints)) <= 3


# -- whatever else goes wrong ---------------------------------------------------------------


def test_an_unexpected_error_is_one_line_without_the_numbers_in_it(capsys, monkeypatch):
    def broken(*args):
        raise ValueError("no way to reach +32470123456 or 0470 12 34 56")

    monkeypatch.setattr(cli.flow, "line_status", broken)
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
