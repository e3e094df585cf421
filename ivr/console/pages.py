"""What every operator sees: the status board, the voicemail inbox (and its audio), the week."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from ivr.console import access, inbox, security
from ivr.console import board as status_board
from ivr.console import week as weeks
from ivr.console.forms import DoneForm, Form
from ivr.console.words import language, translate
from ivr.store.messages import MessageError
from ivr.store.sealed import SealError
from ivr.store.tables import MAX_ROW_ID

bp = Blueprint("pages", __name__)
REFRESH_SECONDS = 30
# A message's number in a URL: beyond what the column holds, there is no such page (404).
MESSAGE = f"<int(max={MAX_ROW_ID}):message_id>"


def service():
    return current_app.extensions["ivr"]


@bp.before_request
@login_required
def logged_in():
    if current_user.must_enrol:
        return redirect(url_for("session.enrol"))  # a coordinator's second factor first
    return None


@bp.get("/")
def board():
    lang, now = language(), security.now()
    return render_template(
        "board.html",
        lines=status_board.board(service(), now, lang, lines=seen()),
        refused=refused_change(service().live.last_refused),
        now=now,
        refresh=REFRESH_SECONDS,
    )


def seen() -> set[str]:
    """The lines the logged-in account sees (`ivr.console.access`)."""
    return access.visible_lines(current_user, service().config)


def message_seen(message_id: int) -> None:
    """404 for a message of a line the account does not see: as if there were none."""
    message = service().store.messages.get(message_id)
    if message is None or not access.may_see(current_user, service().config, message["line"]):
        abort(404)


def refused_change(refused: dict | None) -> dict | None:
    if not refused:
        return None
    return {"at": datetime.fromisoformat(refused["at"]), "problems": refused["problems"]}


@bp.get("/messages")
def messages():
    return render_template(
        "messages.html",
        found=inbox.inbox(service(), language(), current_user),
        done_form=DoneForm(),
        form=Form(),
        problem=request.args.get("problem"),
    )


@bp.get(f"/messages/{MESSAGE}/audio")
def audio(message_id: int):
    message_seen(message_id)
    try:
        found = inbox.audio(service(), message_id)
    except SealError:
        abort(404)
    if found is None:
        abort(404)
    sound, kind = found
    if request.headers.get("Range", "bytes=0-").startswith("bytes=0-"):
        # Once a listening, not at every piece the player asks for.
        service().store.messages.played(message_id, operator=current_user.name, at=security.now())
    response = send_file(BytesIO(sound), mimetype=kind, conditional=True, max_age=0)
    return response


@bp.post(f"/messages/{MESSAGE}/take")
def take(message_id: int):
    message_seen(message_id)
    if Form().validate_on_submit():
        return _move(
            lambda: service().store.messages.take(
                message_id, operator=current_user.name, at=security.now()
            )
        )
    return redirect(url_for("pages.messages"))


@bp.post(f"/messages/{MESSAGE}/done")
def done(message_id: int):
    message_seen(message_id)
    form = DoneForm()
    if not form.validate_on_submit() or form.outcome.data not in inbox.OUTCOMES:
        return redirect(url_for("pages.messages"))
    note = (form.note.data or "").strip()
    problem = inbox.note_problem(note, language())
    if problem:
        return redirect(url_for("pages.messages", problem=problem, _anchor=f"m{message_id}"))
    return _move(
        lambda: service().store.messages.done(
            message_id,
            operator=current_user.name,
            at=security.now(),
            outcome=form.outcome.data,
            note=note,
        )
    )


def _move(change):
    try:
        change()
    except MessageError as exc:
        problem = translate("This message cannot be moved: %(why)s", language(), why=str(exc))
        return redirect(url_for("pages.messages", problem=problem))
    return redirect(url_for("pages.messages"))


@bp.get("/week")
def week():
    lang, now = language(), security.now()
    line = request.args.get("line") or None
    config = service().config
    visible = seen()
    if line and line not in visible:
        abort(404)
    try:
        monday = weeks.week_start(request.args.get("week"), now.astimezone(weeks.BRUSSELS).date())
    except ValueError:
        abort(404)
    return render_template(
        "week.html",
        lines=weeks.weeks(service(), monday, now, lang, line, visible),
        all_lines=sorted(
            (li for li in config.lines.values() if li.id in visible), key=lambda li: li.name.lower()
        ),
        chosen=line,
        week=weeks.week_name(monday),
        before=weeks.week_name(monday - timedelta(days=7)),
        after=weeks.week_name(monday + timedelta(days=7)),
        hours=range(0, 24, 3),
        slots=weeks.SLOTS,
    )
