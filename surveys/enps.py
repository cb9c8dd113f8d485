"""Employee NPS: employees asked, their anonymous answers recorded, and results
shown only for groups of at least ``NPS_ENPS_MIN_GROUP`` (README "Employee NPS
(eNPS)" explains the threat model)."""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from . import stats
from .models import EmployeeAnswer, EmployeeInvitation, Survey, hash_token, week_of
from .services import _score_checked, customer_upsert, response_record
from .text import single_line


class EmployeeAnswerRefused(Exception):
    """The link is unknown, already used, or its survey takes no answers."""


def employee_invitations_create(
    *, survey: Survey, employees: Iterable[tuple[str, str]]
) -> list[EmployeeInvitation]:
    """Ask ``employees`` ((email, team) pairs) the employee ``survey``; an
    employee already asked is not asked twice. Returns the new invitations."""
    if not survey.is_employee:
        raise ValidationError(_("Only an employee survey is sent to employees."))
    known = {email.lower() for email in survey.employee_invitations.values_list("email", flat=True)}
    new = []
    for email, team in employees:
        email, team = (email or "").strip(), single_line(team or "").strip()
        validate_email(email)
        if not team:
            raise ValidationError(_("Every employee needs a team (%(email)s).") % {"email": email})
        if email.lower() in known:
            continue
        known.add(email.lower())
        invitation = EmployeeInvitation(survey=survey, email=email, team=team)
        invitation.prepare_token()
        new.append(invitation)
    return EmployeeInvitation.objects.bulk_create(new)


def employee_invitation_for(token: str) -> EmployeeInvitation | None:
    return (
        EmployeeInvitation.objects.select_related("survey")
        .filter(token_hash=hash_token(token))
        .first()
    )


@dataclass(frozen=True)
class EmployeeAnswered:
    case_opened: bool


def employee_answer_record(
    *,
    token: str,
    score,
    comment: str = "",
    contact: str = "",
    note: str = "",
    today: date | None = None,
) -> EmployeeAnswered:
    """Record one anonymous answer for the invitation behind ``token``: the
    invitation only learns that it was answered; the answer only its team and
    week. A detractor who left ``contact`` (an email, by choice) gets a case,
    through an ordinary response of that contact: the one answer that is not
    anonymous, because its author asked to be called back. That response
    carries the score and ``note`` only, never the anonymous comment (listed
    under the team in the report, it would give the team away)."""
    score = _score_checked(score)
    contact = (contact or "").strip()
    if contact:
        validate_email(contact)
    today = today or timezone.localdate()
    with transaction.atomic():
        invitation = (
            EmployeeInvitation.objects.select_for_update()
            .select_related("survey")
            .filter(token_hash=hash_token(token), answered=False)
            .first()
        )
        if invitation is None or not invitation.survey.is_accepting_responses:
            raise EmployeeAnswerRefused
        survey = invitation.survey
        # A conditional update: a second submission of the same link finds nothing.
        if not EmployeeInvitation.objects.filter(pk=invitation.pk, answered=False).update(
            answered=True
        ):
            raise EmployeeAnswerRefused
        EmployeeAnswer.objects.create(
            survey=survey,
            team=invitation.team,
            score=score,
            comment=(comment or "").strip(),
            week=week_of(today),
        )
        # In the same transaction: a contact that cannot be used (an erased
        # customer's) stores nothing, and the page asks again; nothing is lost.
        wants_case = bool(contact) and stats.classify(score) == stats.DETRACTOR
        if wants_case:
            customer, _created = customer_upsert(email=contact)
            # No comment: it is listed with the team's in the report, and the
            # case would give the team of its author away. The call-back note
            # (``note``) is written for the case alone.
            response_record(
                survey=survey,
                customer=customer,
                score=score,
                comment=(note or "").strip(),
                properties={"employee_contact": True},
                employee_contact=True,
            )
    return EmployeeAnswered(case_opened=wants_case)


# Reports ------------------------------------------------------------------

TOTAL = "*"


@dataclass
class Cell:
    """The answers of one group: shown only when ``shown``."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    shown: bool = True

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    def add(self, category: str, count: int) -> None:
        name = {stats.PROMOTER: "promoters", stats.PASSIVE: "passives"}.get(category, "detractors")
        setattr(self, name, getattr(self, name) + count)

    def public(self) -> dict:
        """What any page, export or endpoint may show of this group."""
        if not self.shown:
            return {"suppressed": True, "answers": None, "enps": None}
        summary = stats.NpsSummary(self.promoters, self.passives, self.detractors)
        return {
            "suppressed": False,
            "answers": self.total,
            "enps": None if summary.nps is None else round(summary.nps),
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
        }


@dataclass
class EnpsReport:
    survey: Survey
    min_group: int
    teams: dict[str, Cell]
    months: dict[date, Cell]
    grid: dict[tuple[str, date], Cell]
    total: Cell
    comments: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The one shape the API, the dashboard and the CSV export show."""
        return {
            "survey": self.survey.slug,
            "min_group": self.min_group,
            "total": self.total.public(),
            "teams": [{"team": team, **cell.public()} for team, cell in self.teams.items()],
            "trend": [
                {
                    "month": month.strftime("%Y-%m"),
                    **cell.public(),
                    "teams": [
                        {"team": team, **self.grid[team, month].public()} for team in self.teams
                    ],
                }
                for month, cell in self.months.items()
            ],
            "comments": [
                {"team": team, "comments": comments} for team, comments in self.comments.items()
            ],
        }


def _lines(report: EnpsReport) -> list[tuple[Cell, list[Cell]]]:
    """Every figure shown with the figures it adds up from: a differencing
    attack subtracts the shown parts of one line from its shown whole."""
    lines = [
        (report.total, list(report.teams.values())),
        (report.total, list(report.months.values())),
    ]
    lines += [
        (cell, [report.grid[team, month] for month in report.months])
        for team, cell in report.teams.items()
    ]
    lines += [
        (cell, [report.grid[team, month] for team in report.teams])
        for month, cell in report.months.items()
    ]
    return lines


CATEGORIES = ("promoters", "passives", "detractors")


def _range_of(
    report: EnpsReport, cell: Cell, category: str, hidden: list[Cell]
) -> tuple[float, float] | None:
    """The least and most ``category`` answers ``cell`` (hidden) can hold,
    given every figure shown and that each line adds up (a linear program
    over the hidden cells, each at least 0); None when unbounded."""
    index = {id(c): n for n, c in enumerate(hidden)}
    rows, values = [], []
    for whole, parts in _lines(report):
        row = [0.0] * len(hidden)
        value = 0.0
        for part in parts:
            if part.shown:
                value -= getattr(part, category)
            else:
                row[index[id(part)]] += 1.0
        if whole.shown:
            value += getattr(whole, category)
        else:
            row[index[id(whole)]] -= 1.0
        if any(row):
            rows.append(row)
            values.append(value)
    objective = [0.0] * len(hidden)
    objective[index[id(cell)]] = 1.0
    # Imported here: scipy is needed only by this check, and web and worker
    # processes that never report eNPS need not load it.
    from scipy.optimize import linprog

    bounds = []
    for sign in (1.0, -1.0):
        result = linprog(
            [sign * c for c in objective],
            A_eq=rows or None,
            b_eq=values or None,
            bounds=(0, None),
            method="highs",
        )
        if result.status != 0:
            return None
        bounds.append(sign * result.fun)
    return bounds[0], bounds[1]


def _determined(report: EnpsReport) -> Cell | None:
    """A hidden group whose count of some category can be worked out
    exactly from the figures shown, however they are combined: the line
    rules guard one line; a bridge across lines (say T2 x M3 = T1 + T2 -
    M1 - M2) needs the whole table."""
    cells = [report.total, *report.teams.values(), *report.months.values(), *report.grid.values()]
    hidden = list({id(c): c for c in cells if not c.shown}.values())
    for cell in hidden:
        for category in CATEGORIES:
            bounds = _range_of(report, cell, category, hidden)
            if bounds is None:
                continue
            # Counts are whole numbers: a range holding one is a value. A
            # value of 0 says only "none of them", which a shown line with
            # none of that category says of all its groups anyway.
            low, high = math.ceil(bounds[0] - 1e-6), math.floor(bounds[1] + 1e-6)
            if high <= low and high > 0:
                return cell
    return None


def _hide_next_to(report: EnpsReport, cell: Cell) -> bool:
    """Hide the smallest shown group of a line ``cell`` is in (a part, else
    a whole), so that it has another unknown to hide behind."""
    lines = [(w, ps) for w, ps in _lines(report) if cell is w or any(cell is p for p in ps)]
    parts = [p for _w, ps in lines for p in ps if p.shown and p.total]
    wholes = [w for w, _ps in lines if w.shown and w.total]
    for candidates in (parts, wholes):
        if candidates:
            min(candidates, key=lambda c: c.total).shown = False
            return True
    return False


def _suppress(report: EnpsReport) -> None:
    """Hide every group under the minimum, then, until nothing changes, hide
    more so that no line gives a hidden group away by subtraction: in a line
    whose whole is shown, the hidden parts are none, or at least two that
    together hold at least the minimum; a hidden whole has a hidden part.
    Then, over the whole table, hide more until no hidden group's count (of
    any category) is pinned to a single value by the figures shown
    (``_determined``), and the line rules again."""
    cells = [report.total, *report.teams.values(), *report.months.values(), *report.grid.values()]
    for cell in cells:
        cell.shown = cell.total == 0 or cell.total >= report.min_group
    _suppress_lines(report)
    while (pinned := _determined(report)) is not None:
        if not _hide_next_to(report, pinned):
            break  # nothing shown is left next to it: cannot happen (the LP found it from one)
        _suppress_lines(report)


def _suppress_lines(report: EnpsReport) -> None:
    minimum = report.min_group
    changed = True
    while changed:
        changed = False
        for whole, parts in _lines(report):
            hidden = [part for part in parts if not part.shown and part.total]
            visible = sorted((p for p in parts if p.shown and p.total), key=lambda p: p.total)
            if whole.shown:
                leaks = len(hidden) == 1 or 0 < sum(p.total for p in hidden) < minimum
            else:
                leaks = whole.total > 0 and not hidden
            if leaks and visible:
                visible[0].shown, changed = False, True
            elif leaks and whole.shown:
                whole.shown, changed = False, True


# The suppression of a table, kept: the linear programs take about a second
# for a table of a year, and a dashboard reload asks for the same table again.
# The key is the table itself (every group's counts, the minimum and the
# rules' version), so it changes exactly when what the rules read changes: a
# month closing, an answer added to a published month, another minimum.
# Nothing has to be invalidated by hand, and no stale entry can be read.
SUPPRESSION_RULES_VERSION = 1
SUPPRESSION_CACHE_SECONDS = 40 * 24 * 3600  # past the next month's closing


def _labelled_cells(report: EnpsReport) -> dict[str, Cell]:
    """Every group of the table under a label that names it in a cache."""
    cells = {"total": report.total}
    cells.update({json.dumps(["team", team]): cell for team, cell in report.teams.items()})
    cells.update(
        {json.dumps(["month", month.isoformat()]): cell for month, cell in report.months.items()}
    )
    cells.update(
        {
            json.dumps(["grid", team, month.isoformat()]): cell
            for (team, month), cell in report.grid.items()
        }
    )
    return cells


def _suppression_key(report: EnpsReport, cells: dict[str, Cell]) -> str:
    table = [
        [label, cell.promoters, cell.passives, cell.detractors]
        for label, cell in sorted(cells.items())
    ]
    content = json.dumps([SUPPRESSION_RULES_VERSION, report.min_group, table])
    digest = hashlib.sha256(content.encode()).hexdigest()
    return f"enps:suppressed:{report.survey.pk}:{digest}"


def _suppress_cached(report: EnpsReport) -> None:
    """``_suppress``, or what it decided for this very table before."""
    cells = _labelled_cells(report)
    key = _suppression_key(report, cells)
    hidden = cache.get(key)
    if hidden is None:
        _suppress(report)
        hidden = sorted(label for label, cell in cells.items() if not cell.shown)
        cache.set(key, hidden, SUPPRESSION_CACHE_SECONDS)
        return
    hidden_labels = set(hidden)
    for label, cell in cells.items():
        cell.shown = label not in hidden_labels


def closed_before(today: date) -> date:
    """The first month not published yet on ``today``: a month is published
    once, when every week that starts in it has ended, and never changes
    after (a figure updated week by week would show each new answer as the
    difference; a month shows its answers all at once)."""
    return week_of(today).replace(day=1)


def enps_report(*, survey: Survey, now=None) -> EnpsReport:
    """The survey's eNPS by team and by month, of the closed months only
    (``closed_before``). What the table hides is worked out once per table
    (``_suppress_cached``)."""
    now = now or timezone.now()
    closed = closed_before(timezone.localdate(now))
    answers = EmployeeAnswer.objects.filter(survey=survey, week__lt=closed)
    teams: dict[str, Cell] = {}
    months: dict[date, Cell] = {}
    grid: dict[tuple[str, date], Cell] = defaultdict(Cell)
    total = Cell()
    rows = answers.values_list("team", "week", "category").order_by("team", "week")
    counted = rows.annotate(n=Count("pk"))
    for team, week, category, count in counted:
        month = week.replace(day=1)
        teams.setdefault(team, Cell()).add(category, count)
        months.setdefault(month, Cell()).add(category, count)
        grid[team, month].add(category, count)
        total.add(category, count)
    teams, months = dict(sorted(teams.items())), dict(sorted(months.items()))
    report = EnpsReport(
        survey=survey,
        min_group=settings.NPS_ENPS_MIN_GROUP,
        teams=teams,
        months=months,
        # Every cell of the table, answered or not.
        grid={(t, m): grid.get((t, m), Cell()) for t in teams for m in months},
        total=total,
    )
    _suppress_cached(report)
    shown = [team for team, cell in report.teams.items() if cell.shown]
    comments: dict[str, list[str]] = defaultdict(list)
    # Sorted by their text: no order of arrival, no date, no id.
    for team, comment in (
        answers.filter(team__in=shown).exclude(comment="").values_list("team", "comment")
    ):
        comments[team].append(comment)
    report.comments = {team: sorted(comments[team]) for team in shown if comments[team]}
    return report


def enps_rows(report: EnpsReport) -> Iterable[tuple]:
    """The report as table rows (the CSV export): a hidden group has no figure."""
    yield ("month", "team", "answers", "enps", "promoters", "passives", "detractors", "suppressed")

    def row(month: str, team: str, cell: Cell) -> tuple:
        data = cell.public()
        if data["suppressed"]:
            return (month, team, None, None, None, None, None, True)
        counts = (data["promoters"], data["passives"], data["detractors"])
        return (month, team, data["answers"], data["enps"], *counts, False)

    yield row("", "", report.total)
    for team, cell in report.teams.items():
        yield row("", team, cell)
    for month, cell in report.months.items():
        label = month.strftime("%Y-%m")
        yield row(label, "", cell)
        for team in report.teams:
            yield row(label, team, report.grid[team, month])
