"""On duty, from the browser: a counsellor (or a coordinator) starts and ends a shift for the
lines they may see, on the phone they answer, renews it, and says "ready again" after a call
(`/console/duty`); and the live wallboard (`/console/wallboard`). What a shift is and how it
is checked is `ivr.console.shifts`'; the shifts are the store's (`store.duty`)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ivr.console import access, security, shifts
from ivr.console.catalogue import N_
from ivr.console.forms import DutyForm, Form, choices
from ivr.console.words import language, language_name, translate
from ivr.domain import phone

bp = Blueprint("duty", __name__)
WALLBOARD_SECONDS = 15  # how often the wallboard reads itself again
# What the duty page may confirm (translated there).
SAID = {
    "started": N_("Your shift has started."),
    "renewed": N_("Your shift is renewed."),
    "stopped": N_("Your shift has ended."),
    "ready": N_("You are ready for calls again."),
    "over": N_("You were not on duty any more."),
}


def service():
    return current_app.extensions["ivr"]


@bp.before_request
@login_required
def logged_in():
    return None


def my_lines():
    config = service().config
    seen = access.visible_lines(current_user, config)
    return sorted(
        (line for line in config.lines.values() if line.id in seen), key=lambda li: li.name.lower()
    )


def duty_form(lines, last: dict | None) -> DutyForm:
    lang = language()
    form = DutyForm()
    form.lines.choices = choices((line.id, line.name) for line in lines)
    spoken = {code for line in lines for code in line.languages}
    named = sorted(((c, language_name(c, lang)) for c in spoken), key=lambda i: i[1].casefold())
    form.languages.choices = choices(named)
    if request.method == "GET":
        if last:
            ids = {line.id for line in lines}
            form.lines.data = [line for line in last["lines"] if line in ids]
            form.phone.data = phone.written(last["phone"])
            form.languages.data = list(last.get("languages") or [])
        elif len(lines) == 1:
            form.lines.data = [lines[0].id]
    return form


@bp.route("/duty", methods=["GET", "POST"])
def duty():
    store, now = service().store, security.now()
    lines = my_lines()
    last = shifts.remembered(store, current_user.name, now)
    form = duty_form(lines, last)
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            shifts.start(
                store,
                service().config,
                current_user,
                lines=form.lines.data or [],
                phone_number=form.phone.data or "",
                languages=form.languages.data or [],
                now=now,
            )
        except shifts.Refused as refused:
            problem, status = translate(refused.text, language(), **refused.values), 422
        else:
            flash("started", "duty")
            return redirect(url_for("duty.duty"))
    elif request.method == "POST":
        problem, status = translate("Choose lines that are offered here.", language()), 422
    shift = shifts.shift_of(store, current_user.name, now)
    names = {line.id: line.name for line in service().config.lines.values()}
    if last and not set(last["lines"]) <= {line.id for line in lines}:
        last = None  # a line no longer theirs: the form, not the button
    return render_template(
        "duty.html",
        form=form,
        button=Form(),
        shift=shift,
        last=last,
        last_names=", ".join(names.get(i, i) for i in last["lines"]) if last else "",
        names=names,
        written=phone.written,
        problem=problem,
        said=said(),
        now=now,
        lang_name=lambda code: language_name(code, language()),
        hours=shifts.SHIFT_HOURS,
    ), status


@bp.post("/duty/again")
def again():
    """The one button on a phone's screen: the last shift's lines and phone, again."""
    if Form().validate_on_submit():
        store, now = service().store, security.now()
        last = shifts.remembered(store, current_user.name, now)
        if last is None:
            return redirect(url_for("duty.duty"))
        try:
            shifts.start(
                store,
                service().config,
                current_user,
                lines=last["lines"],
                phone_number=last["phone"],
                languages=last.get("languages") or [],
                now=now,
            )
        except shifts.Refused:
            return redirect(url_for("duty.duty"))  # the form, to say it otherwise
        flash("started", "duty")
    return redirect(url_for("duty.duty"))


@bp.post("/duty/stop")
def stop():
    return _act(lambda store, now: shifts.stop(store, current_user, now=now), "stopped")


@bp.post("/duty/renew")
def renew():
    return _act(lambda store, now: shifts.renew(store, current_user, now=now), "renewed")


@bp.post("/duty/ready")
def ready():
    return _act(lambda store, now: shifts.ready(store, current_user, now=now), "ready")


def _act(change, what: str):
    if Form().validate_on_submit():
        done = change(service().store, security.now())
        flash(what if done else "over", "duty")
    return redirect(url_for("duty.duty"))


def said() -> str | None:
    told = get_flashed_messages(category_filter=["duty"])
    if not told or told[-1] not in SAID:
        return None
    return translate(SAID[told[-1]], language())


@bp.get("/wallboard")
def wallboard():
    now = security.now()
    return render_template(
        "wallboard.html",
        lines=shifts.wallboard(service(), current_user, now),
        now=now,
        refresh=WALLBOARD_SECONDS,
        lang_name=lambda code: language_name(code, language()),
    )
