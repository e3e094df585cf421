"""`/console/reports`: the figures of the account's organisations over a period (calls by day,
week and month, by weekday and hour, by outcome; messages and how fast they were called back),
as charts, tables and downloads (CSV, spreadsheet). Counts that could point at one caller are
held back (`ivr.domain.figures`); `ivr stats` stays exact.

The charts are SVG drawn here, on the server, from the same cells as the tables: no script,
nothing from another origin (the CSP stays 'self'), and they print as they show."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user, login_required

from ivr.console import access, accounts, security
from ivr.console.catalogue import N_
from ivr.console.words import day_words, language, translate
from ivr.domain import figures

bp = Blueprint("reports", __name__)
LONGEST = timedelta(days=3 * 366)  # a period of three years at most
OUTCOME_NAMES = {
    figures.ANSWERED: N_("answered"),
    figures.VOICEMAIL: N_("message left"),
    figures.REFERRED: N_("sent to 107 or another service"),
    figures.HUNG_UP: N_("hung up while waiting"),
    figures.TRANSFER_FAILED: N_("transfer failed"),
    figures.OTHER: N_("heard where to turn, then ended"),
}
MESSAGE_NAMES = {
    "received": N_("received"),
    "called back": N_("called back"),
    "closed": N_("closed without a call back"),
    "past retention": N_("deleted, time up, nobody done with it"),
    "waiting": N_("still waiting"),
}
WEEKDAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def service():
    return current_app.extensions["ivr"]


@bp.before_request
@login_required
@accounts.coordinators_only
def coordinators():
    return None


def period_asked(today: date) -> figures.Period:
    """The period of `?from=` and `?to=` (Brussels days); the last 28 days by default."""
    try:
        last = date.fromisoformat(request.args.get("to") or (today - timedelta(days=1)).isoformat())
        first = date.fromisoformat(
            request.args.get("from") or (last - timedelta(days=27)).isoformat()
        )
    except ValueError:
        abort(400)
    if last < first or last - first > LONGEST or first.year < 2000 or last.year > 2200:
        abort(400)
    return figures.Period(first, last)


def line_asked() -> str | None:
    """`?line=`: one of the lines the account sees (the figures kept under its id, past
    configurations included), or every one."""
    line = request.args.get("line") or None
    if line and line not in access.visible_lines(current_user, service().config):
        abort(404)
    return line


def build(period: figures.Period, line: str | None = None) -> figures.Report:
    svc = service()
    config = svc.config
    lines = {line} if line else access.visible_lines(current_user, config)
    store = svc.store

    def wanted(row) -> bool:
        if line is not None and row["line"] != line:
            return False
        return access.sees_figures(current_user, config, row["line"], row["organisation"])

    outcome_rows = [
        row
        for row in store.outcomes.report(period.start, period.end, with_organisation=True)
        if wanted(row)
    ]
    message_rows = [row for row in store.outcomes.messages(period.start, period.end) if wanted(row)]
    seen = {row["line"] for row in outcome_rows} | {row["line"] for row in message_rows}
    schedules = {i: config.lines[i].schedule for i in lines}
    return figures.report(period, seen | lines, outcome_rows, message_rows, schedules)


def presets(today: date, lang: str) -> list[tuple[str, date, date]]:
    month = today.replace(day=1)
    last_month_end = month - timedelta(days=1)
    year = today.replace(month=1, day=1)
    return [
        (translate("Last 28 days", lang), today - timedelta(days=28), today - timedelta(days=1)),
        (translate("This month", lang), month, today),
        (translate("Last month", lang), last_month_end.replace(day=1), last_month_end),
        (translate("This year", lang), year, today),
        (
            translate("Last year", lang),
            year.replace(year=year.year - 1),
            year - timedelta(days=1),
        ),
    ]


def bars(cells: list[tuple[str, figures.Cell]], width: int = 720, height: int = 180) -> dict:
    """The geometry of a bar chart of `cells` (label, cell), in an SVG of `width` x `height`
    (the axis and labels within)."""
    top = max([c.drawn for _, c in cells] + [1])
    n = max(len(cells), 1)
    left, bottom, room = 40, 24, height - 34
    step = (width - left - 4) / n
    drawn = []
    for i, (label, cell) in enumerate(cells):
        h = room * cell.drawn / top
        drawn.append(
            {
                "x": round(left + i * step + step * 0.1, 1),
                "y": round(height - bottom - h, 1),
                "w": round(max(step * 0.8, 1), 1),
                "h": round(h, 1),
                "label": label,
                "shown": cell.shown,
                "held": cell.held or cell.rounded,
                "tick": n <= 16 or i % max(1, n // 12) == 0,
                "cx": round(left + i * step + step / 2, 1),
            }
        )
    return {
        "width": width,
        "height": height,
        "bars": drawn,
        "top": int(top),
        "axis_y": height - bottom,
        "left": left,
    }


def across(cells: list[tuple[str, figures.Cell]], width: int = 720) -> dict:
    """The geometry of a bar chart drawn across: a row a cell, its label above its bar."""
    top = max([c.drawn for _, c in cells] + [1])
    row, room = 38, width - 60
    drawn = []
    for i, (label, cell) in enumerate(cells):
        w = room * cell.drawn / top
        drawn.append(
            {
                "y": i * row + 16,
                "ty": i * row + 12,
                "w": round(max(w, 1 if cell.value else 0), 1),
                "label": label,
                "shown": cell.shown,
                "held": cell.held or cell.rounded,
                "vx": round(w + 6, 1),
            }
        )
    return {"width": width, "height": len(cells) * row + 4, "bars": drawn}


def heat_level(cell: figures.Cell, top: int) -> int:
    """0 to 5: the shade of a heat map's cell (a held-back cell is the lightest but 0)."""
    if cell.value == 0:
        return 0
    if cell.held:
        return 1
    return max(1, min(5, 1 + int(4 * cell.value / max(top, 1))))


def tables(report: figures.Report, lang: str) -> list[dict]:
    """Every table of the report, as shown (held-back cells as "< 5"): for the page's
    downloads, and the page's tables."""

    weekdays = [translate(w, lang) for w in WEEKDAY_NAMES]
    result = [
        {
            "name": translate("Calls by month", lang),
            "head": [translate("Month", lang), translate("Calls", lang)],
            "rows": [[k, c.shown] for k, c in report.by_month.items()],
        },
        {
            "name": translate("Calls by week", lang),
            "head": [translate("Week", lang), translate("Calls", lang)],
            "rows": [[k, c.shown] for k, c in report.by_week.items()],
        },
        {
            "name": translate("Calls by day", lang),
            "head": [translate("Day", lang), translate("Calls", lang)],
            "rows": [[k.isoformat(), c.shown] for k, c in report.by_day.items()],
        },
        {
            "name": translate("Calls by weekday and hour (Brussels time)", lang),
            "head": [translate("Weekday", lang), *[f"{h:02d}:00" for h in figures.HOURS]],
            "rows": [
                [weekdays[d], *[report.heat[(d, h)].shown for h in figures.HOURS]]
                for d in figures.WEEKDAYS
            ],
        },
        {
            "name": translate("How calls ended", lang),
            "head": [translate("Outcome", lang), translate("Calls", lang)],
            "rows": [
                *[[translate(OUTCOME_NAMES[k], lang), c.shown] for k, c in report.outcomes.items()],
                [translate("All calls", lang), report.total.shown],
            ],
        },
        {
            "name": translate("Messages", lang),
            "head": [translate("Messages", lang), translate("Number", lang)],
            "rows": [
                [translate(MESSAGE_NAMES[k], lang), c.shown] for k, c in report.messages.items()
            ],
        },
        {
            "name": translate("Time to call back", lang),
            "head": [translate("Measure", lang), translate("Hours", lang)],
            "rows": [
                [translate("median", lang), hours(report.wait_median)],
                [translate("90th percentile", lang), hours(report.wait_p90)],
            ],
        },
    ]
    return result


def hours(seconds: int | None) -> str:
    return "–" if seconds is None else f"{seconds / 3600:.1f}"


@bp.get("/reports")
def page():
    lang = language()
    today = security.now().astimezone(figures.BRUSSELS).date()
    period = period_asked(today)
    line = line_asked()
    report = build(period, line)
    config = service().config
    visible = access.visible_lines(current_user, config)
    top = max([c.value for c in report.heat.values() if not c.held] + [1])
    month_cells = list(report.by_month.items())
    week_cells = list(report.by_week.items())
    day_cells = [(day_words(d, lang)[2], c) for d, c in report.by_day.items()]
    return render_template(
        "reports.html",
        report=report,
        period=period,
        presets=presets(today, lang),
        tables=tables(report, lang),
        by_month=bars(month_cells),
        by_week=bars(week_cells),
        by_day=bars(day_cells),
        outcomes=across(
            [(translate(OUTCOME_NAMES[k], lang), c) for k, c in report.outcomes.items()]
        ),
        all_lines=sorted((config.lines[i] for i in visible), key=lambda li: li.name.lower()),
        chosen=line,
        heat_level=lambda cell: heat_level(cell, top),
        weekdays=[translate(w, lang) for w in WEEKDAY_NAMES],
        hours=figures.HOURS,
        threshold=figures.THRESHOLD,
        query={"from": period.first.isoformat(), "to": period.last.isoformat(), "line": line},
    )


def download_name(period: figures.Period, ext: str) -> str:
    return f"calls-{period.first.isoformat()}-{period.last.isoformat()}.{ext}"


@bp.get("/reports.csv")
def download_csv():
    lang = language()
    period = period_asked(security.now().astimezone(figures.BRUSSELS).date())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            translate("Table", lang),
            translate("Row", lang),
            translate("Column", lang),
            translate("Value", lang),
        ]
    )
    for table in tables(build(period, line_asked()), lang):
        for row in table["rows"]:
            for column, value in zip(table["head"][1:], row[1:], strict=True):
                writer.writerow([table["name"], row[0], column, value])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{download_name(period, "csv")}"'},
    )


@bp.get("/reports.xlsx")
def download_xlsx():
    from openpyxl import Workbook  # loaded only for a download

    lang = language()
    period = period_asked(security.now().astimezone(figures.BRUSSELS).date())
    book = Workbook()
    book.remove(book.active)
    for number, table in enumerate(tables(build(period, line_asked()), lang), start=1):
        sheet = book.create_sheet(f"{number} {table['name']}"[:31].replace("/", "-"))
        sheet.append(table["head"])
        for row in table["rows"]:
            sheet.append([int(v) if isinstance(v, str) and v.isdigit() else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{download_name(period, "xlsx")}"'},
    )
