"""Each dashboard panel downloads as CSV: the figures the panel shows, audited
like every export, formulas kept as text."""

import csv
import io
from datetime import UTC, datetime

import pytest

from followups.models import RootCause
from surveys.models import AuditEvent
from tests.factories import (
    FollowUpCaseFactory,
    ResponseFactory,
    SurveyFactory,
    manager,
    staff_member,
)
from tests.surveys.test_drivers import answers_with_known_counts, driver_survey

pytestmark = pytest.mark.django_db

PAGE = "/admin/dashboard/?survey=known&from=2026-01-01&to=2026-03-31"
WHEN = datetime(2026, 2, 10, tzinfo=UTC)


@pytest.fixture
def survey():
    survey = SurveyFactory(slug="known")
    for score, segment, count in ((10, "smb", 6), (3, "smb", 2), (9, "=cmd()", 1)):
        ResponseFactory.create_batch(count, survey=survey, score=score, segment=segment,
                                     submitted_at=WHEN)  # fmt: skip
    cause = RootCause.objects.create(name="Slow delivery")
    FollowUpCaseFactory(response__survey=survey, created_at=WHEN, root_cause=cause)
    return survey


def _csv(reply) -> list[list[str]]:
    assert reply.status_code == 200
    assert reply["Content-Type"].startswith("text/csv")
    text = b"".join(reply.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("panel", "header"),
    [
        ("trend", ["period", "nps", "ci_low", "ci_high", "answers"]),
        ("distribution", ["score", "answers"]),
        ("segments", ["segment", "nps", "ci_low", "ci_high", "answers"]),
        ("causes", ["root_cause", "cases"]),
        ("owners", ["owner", "open", "overdue", "resolved"]),
        ("actions", ["action", "root_cause", "status", "segment"]),
    ],
)
def test_each_panel_downloads_with_its_figures_and_an_audit_record(client, survey, panel, header):
    client.force_login(manager("boss"))
    rows = _csv(client.get(f"{PAGE}&export={panel}"))
    assert rows[0][: len(header)] == header
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.details["panel"] == panel
    assert event.details["rows"] == len(rows) - 1
    assert event.object_ids == [survey.pk]


def test_the_panels_hold_the_numbers_the_page_shows(client, survey):
    client.force_login(manager("boss"))
    distribution = _csv(client.get(f"{PAGE}&export=distribution"))
    assert distribution[1:] == [[str(s), str({3: 2, 9: 1, 10: 6}.get(s, 0))] for s in range(11)]
    segments = {row[0]: row for row in _csv(client.get(f"{PAGE}&export=segments"))[1:]}
    assert segments["smb"][1:5] == ["50.0", *segments["smb"][2:4], "8"]
    # A segment named like a formula stays text in a spreadsheet.
    assert "'=cmd()" in segments
    causes = _csv(client.get(f"{PAGE}&export=causes"))
    assert causes[1:] == [["Slow delivery", "1"]]


def test_the_overview_downloads_every_survey(client, survey):
    SurveyFactory(slug="other")
    client.force_login(manager("boss"))
    rows = _csv(client.get(PAGE.replace("survey=known", "survey=*") + "&export=overview"))
    assert [row[0] for row in rows[1:]] == ["known", "other"]
    assert rows[1][4] == "9"


def test_staff_cannot_download_the_managers_owner_panel(client, survey):
    client.force_login(staff_member("sam"))
    assert client.get(f"{PAGE}&export=owners").status_code == 403
    assert client.get(f"{PAGE}&export=causes").status_code == 200
    # An unknown panel is the page itself.
    assert client.get(f"{PAGE}&export=nope")["Content-Type"].startswith("text/html")


def test_the_main_reasons_download_with_the_hand_counted_figures_and_intervals(client):
    survey, choices = driver_survey("known")
    answers_with_known_counts(survey, choices)
    client.force_login(manager("boss"))

    rows = _csv(client.get("/admin/dashboard/?survey=known&export=drivers"))

    header, *lines = rows
    price = dict(zip(header, next(line for line in lines if line[0] == "price"), strict=True))
    # As tests/surveys/test_drivers.py works them out by hand: price has
    # 3 of the 4 detractors who gave a reason (Agresti-Coull 28.91 to 96.59)
    # and an NPS of -75 (adjusted Wald -93.06 to 7.34).
    assert (price["label"], price["active"], price["chosen"]) == ("Price", "True", "4")
    assert (price["detractors_count"], price["detractors_of"]) == ("3", "4")
    assert (price["detractors_share"], price["detractors_share_ci_low"]) == ("75.0", "28.91")
    assert price["detractors_share_ci_high"] == "96.59"
    assert (price["nps"], price["ci_low"], price["ci_high"]) == ("-75.0", "-93.06", "7.34")
    assert price["too_few_answers"] == "True"
    assert [line[0] for line in lines] == ["price", "support", "delivery", "ease"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.details["panel"] == "drivers" and event.details["rows"] == 4
