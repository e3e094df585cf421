"""A mail when a caller leaves a message: to the line's addresses, once whatever the workers and
instances, with a link to the console and nothing of the caller; an SMTP server that is down
delays no call and loses no mail; a daily reminder of the messages still new."""

import threading
from datetime import timedelta

import pytest
from conftest import CALLER, CONFIG, LINE_1712, TOKEN, brussels, check, edit, service_of
from support.mailbox import Mailbox

from ivr.app import create_app
from ivr.twilio import simulate

PUBLIC = "https://ivr.example.org"
TEAM = "permanence@1712.example.org"


@pytest.fixture
def mailbox():
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def mail_env(mailbox, monkeypatch):
    monkeypatch.setenv("IVR_SMTP_URL", mailbox.url)
    monkeypatch.setenv("IVR_MAIL_FROM", "ivr@helpline.example.org")
    monkeypatch.setenv("IVR_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("IVR_MAIL_SECONDS", "0")  # rounds only when a test asks


def leave_message(app, clock, at: str, sid: str, seconds: int = 42):
    """A caller on 1712 whom the counsellors do not answer leaves a message."""
    clock.now = brussels(at)
    c = simulate.Call(app, LINE_1712, token=TOKEN, caller=CALLER, base_url=PUBLIC)
    c.start()
    c.press("2")  # français
    c.dial_ends("no-answer")
    turn = c.leave_message(seconds=seconds, sid=sid)
    assert "message est bien enregistré" in turn.text
    return turn


def test_a_message_left_on_1712_is_mailed_to_the_line_with_a_link_and_nothing_of_the_caller(
    mail_env, mailbox, clock
):
    app = create_app(CONFIG, clock=clock)
    leave_message(app, clock, "2026-11-24 11:00", "RE" + "1" * 32, seconds=42)
    service = service_of(app)
    assert mailbox.received == []  # not on the webhook's path
    service.mail.round()
    assert len(mailbox.received) == 1
    mail = mailbox.received[0]
    assert mailbox.envelopes == [("ivr@helpline.example.org", [TEAM])]
    assert "1712" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    message_id = service.store.messages.list()[0]["id"]
    assert f"{PUBLIC}/console/messages#m{message_id}" in body
    assert "24/11/2026 11:00" in body and "42 s" in body
    text = mailbox.texts()[0]
    for caller in (CALLER, CALLER[3:], "470 12 34 56", "0470"):
        assert caller not in text
    assert "RE" + "1" * 32 not in text and "api.twilio.com" not in text
    assert not mail.iter_attachments() or list(mail.iter_attachments()) == []
    service.mail.round()
    assert len(mailbox.received) == 1  # once


def test_two_instances_on_one_database_mail_each_message_once(mail_env, mailbox, clock, database):
    from ivr.store import Store

    Store(database).migrate()  # PostgreSQL is set up by `ivr db upgrade` only
    first = create_app(CONFIG, clock=clock)
    second = create_app(CONFIG, clock=clock)
    for n in range(6):
        app = first if n % 2 else second
        leave_message(app, clock, f"2026-11-24 11:0{n}", f"RE{n:032d}")
    works = [service_of(first).mail, service_of(second).mail] * 3
    threads = [threading.Thread(target=work.round) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(mailbox.received) == 6
    bodies = [m.get_body(("plain",)).get_content() for m in mailbox.received]
    assert len({body.split("#m")[1].split()[0] for body in bodies}) == 6


def test_with_the_smtp_server_down_calls_go_on_and_the_mail_follows_once_it_is_back(
    mail_env, mailbox, clock
):
    mailbox.stop()
    app = create_app(CONFIG, clock=clock)
    service = service_of(app)
    leave_message(app, clock, "2026-11-24 11:00", "RE" + "2" * 32)
    with pytest.raises(Exception, match="127.0.0.1"):
        service.mail.round()  # the thread says so, once, and tries again later
    leave_message(app, clock, "2026-11-24 11:00", "RE" + "3" * 32)  # calls go on
    assert len(service.store.messages.list()) == 2
    mailbox.start()
    service.mail.round()  # the second is due; the first waits for its back-off
    assert len(mailbox.received) == 1
    clock.now += timedelta(minutes=2)
    service.mail.round()
    assert len(mailbox.received) == 2
    service.mail.round()
    assert len(mailbox.received) == 2


def test_the_daily_reminder_lists_the_messages_still_new(mail_env, mailbox, clock):
    app = create_app(CONFIG, clock=clock)
    service = service_of(app)
    leave_message(app, clock, "2026-11-23 10:00", "RE" + "4" * 32, seconds=30)
    leave_message(app, clock, "2026-11-23 11:00", "RE" + "5" * 32, seconds=65)
    leave_message(app, clock, "2026-11-23 16:00", "RE" + "6" * 32)  # not a day old yet
    service.mail.round()
    assert len(mailbox.received) == 3  # one a message
    first, second, _ = service.store.messages.list()
    service.store.messages.take(second["id"], operator="ana", at=clock.now)
    clock.now = brussels("2026-11-24 07:59")
    service.mail.round()
    assert len(mailbox.received) == 3  # before the reminder's hour
    clock.now = brussels("2026-11-24 10:30")  # the first is a day old, the third not
    service.mail.round()
    service.mail.round()
    assert len(mailbox.received) == 4  # once a day
    reminder = mailbox.received[-1]
    body = reminder.get_body(("plain",)).get_content()
    assert f"n° {first['id']} : 23/11/2026 10:00, 30 s" in body
    assert f"n° {second['id']}" not in body  # taken
    assert "23/11/2026 16:00" not in body
    assert CALLER not in mailbox.texts()[-1]
    clock.now = brussels("2026-11-25 08:30")
    service.mail.round()
    assert len(mailbox.received) == 5  # the next day, again


def test_check_warns_about_a_line_that_takes_messages_and_mails_nobody(config_copy, capsys):
    edit(config_copy / "1712.yaml", "notify: [permanence@1712.example.org]\n", "")
    code, out = check(config_copy, capsys)
    assert code == 0
    assert any(
        line.startswith(f"{config_copy}/1712.yaml:")
        and "takes messages but mails nobody" in line
        and "notify:" in line
        for line in out
    ), out


def test_check_refuses_an_address_that_is_not_one(config_copy, capsys):
    edit(config_copy / "1712.yaml", "[permanence@1712.example.org]", "[permanence at 1712]")
    code, out = check(config_copy, capsys)
    assert code != 0
    assert any("'permanence at 1712' is not a mail address" in line for line in out), out


@pytest.mark.parametrize(
    "name, value",
    [
        ("IVR_SMTP_URL", "mail.example.org:587"),
        ("IVR_SMTP_URL", "http://mail.example.org"),
        ("IVR_MAIL_REMINDER_HOUR", "25"),
        ("IVR_MAIL_REMIND_AFTER_HOURS", "0"),
    ],
)
def test_a_mail_setting_that_cannot_be_used_is_named(name, value):
    from ivr.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_the_smtp_url_gives_the_server_its_tls_and_login():
    from ivr.runtime.mail import Server

    server = Server.from_url("smtp://ivr%40helpline.be:s%C3%A9cret@mail.example.org")
    assert (server.host, server.port, server.tls) == ("mail.example.org", 587, False)
    assert (server.username, server.password) == ("ivr@helpline.be", "sécret")
    assert Server.from_url("smtps://mail.example.org").port == 465


def test_a_login_is_never_sent_to_a_server_without_starttls(mailbox):
    from email.message import EmailMessage

    from ivr.runtime.mail import MailError, Server

    server = Server.from_url(f"smtp://ana:secret@127.0.0.1:{mailbox.port}")
    with pytest.raises(MailError, match="STARTTLS") as refused:
        server.send(EmailMessage())
    assert "secret" not in str(refused.value)
    assert mailbox.received == []
