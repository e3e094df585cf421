"""Logging in and out, and the language of the pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user

from ivr.console import PREFIX, accounts, security
from ivr.console.catalogue import N_
from ivr.console.forms import Form, LanguageForm, LoginForm, ResetForm, choices
from ivr.console.words import language
from ivr.domain import languages

bp = Blueprint("session", __name__)
# What the login page may say (translated in the page).
EXPIRED = N_("Your session has ended: log in again.")
THROTTLED = N_("Too many wrong passwords: wait a minute, then try again.")
WRONG = N_("Wrong name or password.")
WRONG_CODE = N_("Wrong name or code, or the code was used or is more than a day old.")
DIFFERENT = N_("The two passwords differ.")
SHORT = N_("A password has at least 10 characters, and neither starts nor ends with a space.")
RESET = N_("Your password is set: log in with it.")


def service():
    return current_app.extensions["ivr"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.board"))
    form = LoginForm()
    problem, status = None, 200
    if request.args.get("expired"):
        problem = EXPIRED
    if request.args.get("reset"):
        problem = RESET
    if form.validate_on_submit():
        now = security.now()
        store = service().store
        try:
            row = accounts.log_in(
                store, form.name.data, form.password.data, security.client_address(), now
            )
        except accounts.Throttled:
            # Counted, and said in the audit log once a name or address and minute.
            problem, status = THROTTLED, 429
        else:
            if row is None:
                problem, status = WRONG, 401
            else:
                session.clear()  # a new session: nothing from before the login carries over
                token = security.start_session(store, row["id"], now)
                account = accounts.Account(
                    {**row, "started_at": now, "seen_at": now}, token, store.grants.of(row["id"])
                )
                login_user(account)
                store.operators.logged_in(row["id"], now)
                security.audit("login", "console")
                return redirect(url_for("pages.board"))
    return render_template("login.html", form=form, problem=problem), status


@bp.route("/reset", methods=["GET", "POST"])
def reset():
    """One's own password, set with the one-time code a coordinator handed over."""
    form = ResetForm()
    problem, status = None, 200
    if form.validate_on_submit():
        new = form.password.data
        trouble = accounts.password_problem(new)
        if new != form.again.data:
            problem, status = DIFFERENT, 422
        elif trouble:
            problem, status = SHORT, 422
        else:
            try:
                done = accounts.reset_with_code(
                    service().store,
                    form.name.data,
                    form.code.data,
                    new,
                    security.client_address(),
                    security.now(),
                )
            except accounts.Throttled:
                problem, status = THROTTLED, 429
            else:
                if done:
                    return redirect(url_for("session.login", reset=1))
                problem, status = WRONG_CODE, 401
    elif request.method == "POST":
        status = 422
    return render_template("reset.html", form=form, problem=problem), status


@bp.post("/logout")
@login_required
def logout():
    form = Form()
    if form.validate_on_submit():
        security.end_session("logout")
    return redirect(url_for("session.login"))


@bp.post("/language")
def choose_language():
    form = LanguageForm()
    form.language.choices = choices(languages.console_languages().items())
    back = form.back.data or ""
    if not page_of_ours(back):
        back = url_for("pages.board")
    if form.validate_on_submit():
        chosen = form.language.data
        session["lang"] = chosen
        if current_user.is_authenticated:
            service().store.operators.set_language(current_user.id, chosen)
    return redirect(back)


def page_of_ours(path: str) -> bool:
    """Whether `path` is a console page to send the browser back to: under /console, on this
    site, and nothing a Location header cannot hold (a line break would end the header)."""
    return (
        path.startswith(PREFIX + "/") and "\\" not in path and all(" " < c != "\x7f" for c in path)
    )


def language_form() -> LanguageForm:
    form = LanguageForm(
        language=language(), back=request.script_root + request.full_path.rstrip("?")
    )
    form.language.choices = choices(languages.console_languages().items())
    return form


@bp.app_context_processor
def every_page():
    return {"language_form": language_form, "logout_form": Form, "PREFIX": PREFIX}
