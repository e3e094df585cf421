"""The command line and the real server, as a newcomer and an operator use them."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from support.helpers import CONFIG, ROOT, brussels
from support.loopback import free_port

from ivr.cli import main
from ivr.store import Store


def test_ivr_voicemails_lists_messages_without_any_caller_detail(capsys):
    store = Store()
    assert main(["voicemails"]) == 0
    assert capsys.readouterr().out.strip() == "no voicemail"
    store.messages.add(
        line="1712",
        received_at=brussels("2026-11-24 20:15"),
        recording_sid="RE123",
        recording_url="https://api.twilio.com/x/RE123",
        duration_seconds=37,
        language="fr",
    )
    store.messages.add(
        line="stop-it-now",
        received_at=brussels("2026-11-25 08:00"),
        recording_sid="RE456",
        recording_url="https://api.twilio.com/x/RE456",
        duration_seconds=5,
        language="fr",
    )
    assert main(["voicemails", "--line", "1712"]) == 0
    out = capsys.readouterr().out
    assert "1712" in out and "RE123" in out and "37s" in out and "fr" in out
    assert "RE456" not in out


def test_gunicorn_serves_the_shipped_configuration(tmp_path):
    """What `make run` does: gunicorn, the shipped config, no token, IVR_INSECURE=1."""
    port = free_port()
    env = dict(os.environ, IVR_INSECURE="1", IVR_CONFIG_DIR=str(CONFIG))
    env.pop("TWILIO_AUTH_TOKEN", None)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/run.sqlite3"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "ivr.app:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and body is None:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/voice",
                    data=b"To=%2B3280014112&CallSid=CA1",
                    method="POST",
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.status == 200
                    body = response.read().decode()
            except OSError:
                time.sleep(0.2)
        assert body is not None, "the server did not answer"
        assert "Stop it Now" in body
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
    assert "INSECURE" in output


def test_the_tests_say_why_one_is_skipped(tmp_path):
    """`make test` said "3 skipped" and nothing of why: the reasons are listed (README.md says
    how to get what is missing)."""
    test = tmp_path / "test_lacking.py"
    test.write_text(
        "import pytest\n\n\ndef test_needs_a_browser():\n"
        "    pytest.skip('no /usr/bin/chromium: apt-get install chromium')\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-c", str(ROOT / "pyproject.toml"),
         "--rootdir", str(tmp_path), "-p", "no:cacheprovider", str(test)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    said = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED [1] ")]
    assert len(said) == 1 and said[0].endswith(
        "test_lacking.py:5: no /usr/bin/chromium: apt-get install chromium"
    ), done.stdout
