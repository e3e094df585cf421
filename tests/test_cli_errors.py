"""Every operator command answers a mistake or a failure with one line on stderr,
`ivr <command>: what is wrong and how to fix it`, exit status 1 or 2, and never a traceback."""

import os
import subprocess
import sys
from datetime import UTC, datetime

from conftest import ROOT, brussels

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
