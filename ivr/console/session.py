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

from ivr.console import PREFIX, accounts, second, security
from ivr.console.catalogue import N_
from ivr.console.forms import CodeForm, Form, LanguageForm, LoginForm, ResetForm, choices
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
WRONG_SECOND = N_("Wrong code: type the 6 digits your app shows now, or a recovery code.")


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
                if row.get("totp_enrolled_at"):
                    # The password was right: the second factor now, within 5 minutes.
                    session["pending"] = [row["id"], now.timestamp()]
                    return redirect(url_for("session.second_factor"))
                begin(store, row, now)
                if row["role"] == accounts.COORDINATOR:
                    return redirect(url_for("session.enrol"))
                return redirect(url_for("pages.board"))
    return render_template("login.html", form=form, problem=problem), status


def begin(store, row: dict, now) -> None:
    """The account's session, once it is who it says (the password, and its second factor)."""
    session.clear()
    token = security.start_session(store, row["id"], now)
    account = accounts.Account(
        {**row, "started_at": now, "seen_at": now}, token, store.grants.of(row["id"])
    )
    login_user(account)
    store.operators.logged_in(row["id"], now)
    security.audit("login", "console")


PENDING_SECONDS = 300


@bp.route("/second", methods=["GET", "POST"])
def second_factor():
    """The second step of a login: the code of the authenticator app, or a recovery code."""
    store, now = service().store, security.now()
    pending = session.get("pending")
    if not isinstance(pending, list) or len(pending) != 2:
        return redirect(url_for("session.login"))
    row = store.operators.get(operator_id=int(pending[0]))
    if row is None or now.timestamp() - float(pending[1]) > PENDING_SECONDS:
        session.pop("pending", None)
        return redirect(url_for("session.login", expired=1))
    form = CodeForm()
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            right = second.check(store, row, form.code.data, security.client_address(), now)
        except accounts.Throttled:
            problem, status = THROTTLED, 429
        else:
            if right:
                begin(store, row, now)
                return redirect(url_for("pages.board"))
            problem, status = WRONG_SECOND, 401
    elif request.method == "POST":
        status = 422
    return render_template("second.html", form=form, problem=problem), status


@bp.route("/enrol", methods=["GET", "POST"])
@login_required
def enrol():
    """The second factor's enrolment: a QR code for the authenticator app, a first code to
    confirm it, then the recovery codes, shown once."""
    store, now = service().store, security.now()
    row = store.operators.get(operator_id=current_user.id)
    if row is None:
        return redirect(url_for("session.login"))
    if row.get("totp_enrolled_at"):
        return render_template("enrol.html", enrolled=True)
    if not row.get("totp_secret"):
        store.operators.start_enrolment(row["id"], second.new_secret())
        row = store.operators.get(operator_id=current_user.id)
    form = CodeForm()
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            codes = second.enrol(store, row, form.code.data, security.client_address(), now)
        except accounts.Throttled:
            problem, status = THROTTLED, 429
        else:
            if codes:
                return render_template("enrol.html", enrolled=True, codes=codes)
            problem, status = WRONG_SECOND, 401
    elif request.method == "POST":
        status = 422
    secret = row["totp_secret"]
    return render_template(
        "enrol.html",
        enrolled=False,
        form=form,
        problem=problem,
        qr=second.qr_svg(second.provisioning_uri(secret, row["name"])),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        required=row["role"] == accounts.COORDINATOR,
    ), status


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
