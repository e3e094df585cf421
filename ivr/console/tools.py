"""What coordinators do besides: overrides, a trial call, the audit log."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ivr.console import accounts, overrides, security, trial
from ivr.console.forms import Form, OverrideForm, TrialForm, choices
from ivr.console.session import audit
from ivr.console.words import language, translate

bp = Blueprint("tools", __name__)
BRUSSELS = trial.BRUSSELS


def service():
    return current_app.extensions["ivr"]


@bp.before_request
@login_required
@accounts.coordinators_only
def coordinators():
    return None


def lines():
    return sorted(service().config.lines.values(), key=lambda li: li.name.lower())


def local(moment):
    """A time typed in the form (no zone): Brussels time."""
    return moment.replace(tzinfo=BRUSSELS) if moment is not None else None


@bp.route("/overrides", methods=["GET", "POST"])
def override_page():
    form = OverrideForm()
    form.line.choices = choices((line.id, line.name) for line in lines())
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            overrides.set_override(
                service().store,
                service().config,
                line_id=form.line.data,
                kind=form.kind.data,
                to=form.to.data or "",
                starts=local(form.starts.data),
                until=local(form.until.data),
                reason=form.reason.data or "",
                operator=current_user.name,
                now=security.now(),
            )
        except overrides.Refused as refused:
            problem, status = translate(refused.text, language(), **refused.values), 422
        else:
            return redirect(url_for("tools.override_page", done=form.line.data))
    elif request.method == "POST":
        status = 422
    now = security.now()
    return render_template(
        "overrides.html",
        form=form,
        clear_form=Form(),
        problem=problem,
        listed=overrides.listed(service().store, now),
        history=overrides.history(service().store),
        names={line.id: line.name for line in lines()},
        now=now.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M"),
    ), status


@bp.post("/overrides/<key>/clear")
def clear(key: str):
    if Form().validate_on_submit():
        overrides.clear(service().store, key, operator=current_user.name, now=security.now())
    return redirect(url_for("tools.override_page"))


@bp.route("/try", methods=["GET", "POST"])
def try_call():
    form = TrialForm()
    every = lines()
    form.line.choices = choices((line.id, line.name) for line in every)
    spoken = sorted({lang for line in every for lang in line.languages})
    form.language.choices = choices([("", "—")] + [(code, code) for code in spoken])
    form.result.choices = choices((result, result) for result in trial.DIAL_RESULTS)
    transcript, problem, status = None, None, 200
    if form.validate_on_submit():
        keys = trial.keys_of(form.keys.data or "")
        at = local(form.at.data) or security.now()
        if keys is None:
            problem, status = translate("Keys are digits, * and #.", language()), 422
        else:
            try:
                transcript = trial.run(
                    service().settings,
                    form.line.data,
                    at,
                    form.language.data or None,
                    keys,
                    form.result.data,
                )
            except trial.TrialFailed as exc:
                problem, status = str(exc), 422
            audit(
                "trial call",
                f"line {form.line.data}",
                f"at {at.astimezone(BRUSSELS):%Y-%m-%d %H:%M}, keys {' '.join(keys or [])}",
            )
    elif request.method == "POST":
        status = 422
    now = security.now().astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M")
    return render_template(
        "try.html", form=form, transcript=transcript, problem=problem, now=now
    ), status


@bp.get("/journal")
def journal():
    return render_template("journal.html", entries=service().store.audit.entries(limit=300))
