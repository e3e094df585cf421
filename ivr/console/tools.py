"""What coordinators do besides: overrides, a trial call, the audit log."""

from __future__ import annotations

from babel.lists import format_list
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ivr.console import access, accounts, board, overrides, security, trial
from ivr.console import journal as journal_words
from ivr.console.forms import AccountForm, Form, OverrideForm, TrialForm, choices
from ivr.console.security import audit
from ivr.console.words import (
    language,
    language_name,
    locale_of,
    override_words,
    short,
    translate,
)

bp = Blueprint("tools", __name__)
BRUSSELS = trial.BRUSSELS


def service():
    return current_app.extensions["ivr"]


@bp.before_request
@login_required
@accounts.coordinators_only
def coordinators():
    if current_user.must_enrol:
        return redirect(url_for("session.enrol"))  # their second factor first
    return None


def lines():
    """The lines the coordinator handles (`ivr.console.access`): the forms offer no other."""
    config = service().config
    mine = access.changeable_lines(current_user, config)
    return sorted(
        (line for line in config.lines.values() if line.id in mine), key=lambda li: li.name.lower()
    )


def local(moment):
    """A time typed in the form (no zone): Brussels time."""
    return moment.replace(tzinfo=BRUSSELS) if moment is not None else None


@bp.route("/overrides", methods=["GET", "POST"])
def override_page():
    form = OverrideForm()
    form.line.choices = choices((line.id, line.name) for line in lines())
    problem, status = None, 200
    if form.validate_on_submit():
        if not access.may_change(current_user, service().config, form.line.data):
            abort(404)  # not offered: the form's choices refuse it already
        try:
            override = overrides.set_override(
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
            # Said on the page it leads to, from the store (the session carries only which).
            flash(["set", f"{override.line}:{override.id}"], "override")
            return redirect(url_for("tools.override_page"))
    elif request.method == "POST":
        status = 422
    now = security.now()
    config, lang = service().config, language()
    mine = {line.id for line in lines()}
    listed = [
        o
        for o in board.named(config, overrides.listed(service().store, now), lang)
        if o.line in mine
    ]
    history = [
        {**row, "forward_to": board.destination(config, row["forward_to"], lang)}
        for row in overrides.history(service().store, lines=mine)
    ]
    return render_template(
        "overrides.html",
        form=form,
        clear_form=Form(),
        problem=problem,
        said=what_was_done(listed),
        listed=listed,
        history=history,
        names={line.id: line.name for line in lines()},
        now=now.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M"),
    ), status


@bp.post("/overrides/<key>/clear")
def clear(key: str):
    if not access.may_change(current_user, service().config, key.partition(":")[0]):
        abort(404)
    if Form().validate_on_submit():
        now = security.now()
        cleared = overrides.clear(service().store, key, operator=current_user.name, now=now)
        if cleared is not None:
            planned = cleared.starts_at is not None and cleared.starts_at > now
            flash(["cancelled" if planned else "lifted", cleared.line], "override")
    return redirect(url_for("tools.override_page"))


def what_was_done(listed) -> str | None:
    """The confirmation of the override just set, lifted or cancelled, in the page's words."""
    said = get_flashed_messages(category_filter=["override"])
    if not said or not isinstance(said[-1], list) or len(said[-1]) != 2:
        return None
    what, subject = said[-1]
    names = {line.id: line.name for line in lines()}
    lang = language()
    if what == "set":
        o = next((o for o in listed if o.key == subject), None)
        if o is None:
            return None  # over already, or taken away meanwhile: nothing true to confirm
        return translate(
            "Override set: %(line)s %(what)s from %(start)s until %(end)s.",
            lang,
            line=names.get(o.line, o.line),
            what=override_words(o, lang),
            start=short(o.starts, lang),
            end=short(o.until, lang),
        )
    line = names.get(subject, subject)
    if what == "cancelled":
        return translate(
            "%(line)s: the planned override is cancelled; it will not start.", lang, line=line
        )
    return translate(
        "%(line)s: the override is lifted; the schedule applies again.", lang, line=line
    )


@bp.route("/try", methods=["GET", "POST"])
def try_call():
    form = TrialForm()
    lang = language()
    every = lines()
    form.line.choices = choices((line.id, line.name) for line in every)
    spoken = {code: language_name(code, lang) for line in every for code in line.languages}
    named = sorted(spoken.items(), key=lambda item: item[1].casefold())
    form.language.choices = choices([("", "—"), *named])
    form.result.choices = choices(
        (result, translate(words, lang)) for result, words in trial.DIAL_RESULTS.items()
    )
    transcript, problem, status = None, None, 200
    if form.validate_on_submit():
        keys = trial.keys_of(form.keys.data or "")
        at = local(form.at.data) or security.now()
        line = service().config.lines.get(form.line.data)
        if not access.may_change(current_user, service().config, form.line.data):
            abort(404)  # not offered: the form's choices refuse it already
        caller = form.language.data or None
        if keys is None:
            problem, status = translate("Keys are digits, * and #.", lang), 422
        elif caller and line and len(line.languages) > 1 and caller not in line.languages:
            # Said here, in the page's words, rather than by `ivr call` in an operator's.
            answers = [language_name(code, lang) for code in line.languages]
            problem = translate(
                "%(line)s does not answer in %(language)s: it answers in %(languages)s.",
                lang,
                line=line.name,
                language=language_name(caller, lang),
                languages=format_list(answers, locale=locale_of(lang)),
            )
            status = 422
        else:
            try:
                transcript = trial.run(
                    service().settings,
                    form.line.data,
                    at,
                    caller,
                    keys,
                    form.result.data,
                    words=lang,
                )
            except trial.TrialFailed as exc:
                problem, status = translate(exc.text, lang, **exc.values), 422
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
    return render_template(
        "journal.html", entries=journal_words.entries(service(), language(), current_user)
    )


# -- the accounts of the coordinator's lines ------------------------------------------------------


def managed_accounts() -> list[dict]:
    """The counsellors' accounts of the coordinator's lines (`access.manages`), each with the
    names of what it sees."""
    config = service().config
    shown = []
    for row in service().store.operators.list():
        if row["name"] == current_user.name or not access.manages(
            current_user, config, row["grants"]
        ):
            continue
        shown.append({**row, "sees": [seen_name(g) for g in row["grants"]]})
    return shown


def seen_name(grant) -> str:
    """What a grant covers, in the page's words."""
    config, lang = service().config, language()
    if grant.everything:
        return translate("all lines", lang)
    if grant.line:
        line = config.lines.get(grant.line)
        return line.name if line else grant.line
    names = sorted(line.name for line in config.lines.values() if access.covers(grant, line))
    return translate("%(organisation)s (all its lines: %(lines)s)", lang,
                     organisation=grant.organisation, lines=", ".join(names) or "—")  # fmt: skip


def account_form() -> AccountForm:
    from ivr.domain import languages

    form = AccountForm()
    form.lines.choices = choices((line.id, line.name) for line in lines())
    form.language.choices = choices(languages.console_languages().items())
    return form


def accounts_page(form=None, problem=None, code=None, status=200):
    return render_template(
        "accounts.html",
        form=form or account_form(),
        action_form=Form(),
        accounts=managed_accounts(),
        problem=problem,
        code=code,
    ), status


@bp.get("/accounts")
def accounts_list():
    return accounts_page()


@bp.post("/accounts")
def add_account():
    from ivr.store.grants import Grant
    from ivr.store.operators import OperatorError

    form = account_form()
    lang = language()
    if not form.validate_on_submit():
        problem = translate("Give a name and at least one of your lines.", lang)
        return accounts_page(form, problem, status=422)
    name = form.name.data.strip()
    if not name or any(c.isspace() for c in name):
        problem = translate("A name is one word, such as ana.dupont.", lang)
        return accounts_page(form, problem, status=422)
    config = service().config
    chosen = [
        config.lines[i] for i in form.lines.data if access.may_change(current_user, config, i)
    ]
    if len(chosen) != len(form.lines.data):
        abort(404)  # not offered: the form's choices refuse it already
    grants = tuple(Grant(access.organisation_of(line), "counsellor", line.id) for line in chosen)
    now = security.now()
    try:
        service().store.operators.add(
            name,
            "counsellor",
            # No password anyone knows: the counsellor sets theirs with the one-time code.
            accounts.hash_password(accounts.new_code() + accounts.new_code()),
            language=form.language.data,
            by=current_user.name,
            at=now,
            grants=grants,
        )
    except OperatorError:
        problem = translate("There is an account of that name already.", lang)
        return accounts_page(form, problem, status=422)
    code, until = accounts.give_code(service().store, name, by=current_user.name, now=now)
    return accounts_page(code={"name": name, "code": code, "until": until})


def managed(name: str) -> dict:
    """The account `name` if the coordinator manages it; 404 otherwise, as if there were none."""
    found = next((row for row in managed_accounts() if row["name"] == name), None)
    if found is None or not found["active"]:
        abort(404)
    return found


@bp.post("/accounts/<name>/disable")
def disable_account(name: str):
    row = managed(name)
    if Form().validate_on_submit():
        service().store.operators.disable(row["name"], by=current_user.name, at=security.now())
    return redirect(url_for("tools.accounts_list"))


@bp.post("/accounts/<name>/code")
def code_for_account(name: str):
    row = managed(name)
    if not Form().validate_on_submit():
        return redirect(url_for("tools.accounts_list"))
    code, until = accounts.give_code(
        service().store, row["name"], by=current_user.name, now=security.now()
    )
    return accounts_page(code={"name": row["name"], "code": code, "until": until})
