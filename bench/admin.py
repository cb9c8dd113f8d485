"""The case admin at 100 and at N cases: its query counts must not grow, and
its pages should not get slower, as cases pile up (DESIGN.md, Targets).

Each run, for each size (100, N/10 and N cases; N = 100,000 by default):

1. empties the tables cases live in and fills them in SQL (untimed): N cases
   from 2N responses of N/2 customers (every customer the same history at any
   size: two detractor answers with a case each, a passive with an offer grant,
   a promoter with a reward grant), over two years; the cases' owners (12
   service staff, 8% unassigned; the first 50, a full page, are the measured
   staff member's at every size), statuses by age, timelines (created,
   assigned, contacted, a note, resolved, closed) and contact emails; then
   ``VACUUM ANALYZE``;
2. asks for three pages through ``django.test.Client`` in this process
   (production settings, HTTPS, ``force_login``; the real URL, middleware,
   session, permissions, admin and templates; no HTTP server):

   - the case list (``/admin/followups/followupcase/``) as a manager, who sees
     every case;
   - the same list as a service staff member, who sees their own cases and
     the unassigned queue (``followups.cases.access.visible_cases``);
   - a case page (the change view: the answer, its timeline, the forms, the
     customer's other answers, cases, offers and rewards) as the case's owner:
     the same case at every size, the newest case of customer #1, with the
     same history at every size;

   each page ``WARMUP`` times untimed, once with ``CaptureQueriesContext``
   (the query count and the slowest queries), then ``REQUESTS`` timed
   requests whose median is the page's render time.

The figures compare N cases (the value) with 100 cases (the floor) measured in
the same run: the query count must not grow (ratio <= 1) and the render time
may grow by at most ``RENDER_TARGET`` (see bench/README.md for why 1.5).
"""

from __future__ import annotations

import functools
import os
import re
import statistics
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg

from . import infra
from .report import Figure

DESCRIPTION = (
    "The follow-up case admin (the case list as a manager and as a service staff member, "
    "and a case page) at 100, N/10 and N cases, through Django's test client in the bench "
    "process with production settings; the floor is the same page at 100 cases in the "
    "same run."
)
DEFAULT_N = 100_000
SMALLEST = 100  # cases: the floor
WARMUP = 2  # untimed requests per page and size
REQUESTS = 7  # timed requests per page and size; their median is the render time
# Query counts must not grow at all; render time may grow this much (bench/README.md).
QUERY_TARGET = 1.0
RENDER_TARGET = 1.5
NOISY_SHARE = 0.15
SPAN_DAYS = 730
STAFF = 12
STAFF_MEMBER = "agent01"  # whose list and case page are measured
LIST_PAGE = 50  # FollowUpCaseAdmin.list_per_page: rows on the list's first page
MANAGER = "bench-manager"
ROOT_CAUSES = (
    "Slow support response",
    "Billing error",
    "Delivery delay",
    "Product defect",
    "Missing feature",
    "Onboarding difficulty",
    "Price increase",
    "Website problem",
)
SLOWEST_SHOWN = 3

# --- The data -----------------------------------------------------------------
#
# Response g (1..2N) belongs to customer 1 + (g - 1) mod C (C = N/2) and is
# that customer's k-th answer, k = (g - 1) div C: k = 1 and 3 are detractors
# (a case each), k = 2 a passive (an offer grant), k = 0 a promoter (a reward
# grant). Answers are submitted in g order over two years, so every customer
# has the same history at every size, spread over the same span.

CUSTOMERS_SQL = """
INSERT INTO surveys_customer (
    id, email, name, external_id, segment, locale, unsubscribed_at, erased_at,
    created_at, updated_at, unsubscribe_key, email_problem, time_zone)
SELECT c, 'customer' || c || '@example.com', 'Customer ' || c, 'crm-' || c,
       (ARRAY['enterprise', 'mid-market', 'smb', 'consumer', 'public sector',
              'partner'])[1 + mod(c * 7919, 6)],
       (ARRAY['en', 'en', 'en', 'pl', 'ru', 'zh-hans'])[1 + mod(c, 6)],
       NULL, NULL, %(start)s::timestamptz, %(start)s::timestamptz, md5(c::text), '', ''
FROM generate_series(1, %(customers)s::int) AS c
"""

RESPONSES_SQL = """
INSERT INTO surveys_response (
    id, score, category, comment, channel, submitted_at, segment, locale, idempotency_key,
    exclusion_reason, created_at, routed_at, customer_id, invitation_id, survey_id,
    properties, is_historical, source)
SELECT r.g, r.score,
       CASE WHEN r.score <= 6 THEN 'detractor' WHEN r.score <= 8 THEN 'passive'
            ELSE 'promoter' END,
       CASE WHEN mod(r.g, 3) = 0 THEN '' ELSE (ARRAY[
           'Support took days to answer.', 'The invoice was wrong again.',
           'Delivery was late and nobody told me.', 'Missing the export I need.',
           'The new pricing is too high for what we use.', 'Great product, fair price.',
           'Friendly people on the phone.'])[1 + mod(r.g, 7)] END,
       (ARRAY['link', 'email', 'email', 'api', 'sms'])[1 + mod(r.g, 5)],
       r.submitted_at, c.segment, c.locale, NULL, '', r.submitted_at + interval '1 second',
       r.submitted_at + interval '2 seconds', r.customer_id, NULL, r.survey_id,
       '{}'::jsonb, false, ''
FROM (
    SELECT g, 1 + mod(g - 1, %(customers)s::int) AS customer_id,
           CASE (g - 1) / %(customers)s::int
               WHEN 0 THEN 9 + mod(g, 2) WHEN 2 THEN 7 + mod(g, 2) ELSE mod(g * 7, 7) END
               AS score,
           %(start)s::timestamptz + (g - 1) * %(step)s::interval AS submitted_at,
           CASE WHEN mod(g, 3) = 0 THEN 2 ELSE 1 END AS survey_id
    FROM generate_series(1, %(responses)s::int) AS g
) AS r
JOIN surveys_customer AS c ON c.id = r.customer_id
"""

# A case per detractor, as routing opens it; its state by age (old cases are
# mostly closed, recent ones open), its owner one of the staff or nobody, both
# drawn at random (seeded): no owner may find their cases all in one corner of
# the list.
CASES_SQL = """
INSERT INTO followups_followupcase (
    id, status, priority, created_at, due_at, first_contact_at, resolved_at, closed_at,
    resolution_summary, escalation_level, escalation_phase, escalated_at, updated_at,
    customer_id, owner_id, response_id, survey_id, root_cause_id, resurvey_invitation_id,
    suggestion_words)
SELECT t.case_id, t.status, t.priority, t.created_at, t.due_at,
       CASE WHEN t.status <> 'new' THEN t.created_at + t.contact END,
       CASE WHEN t.status IN ('resolved', 'closed') THEN t.created_at + t.contact + t.resolve END,
       CASE WHEN t.status = 'closed'
            THEN t.created_at + t.contact + t.resolve + interval '1 day' END,
       CASE WHEN t.status IN ('resolved', 'closed')
            THEN 'Called the customer and sorted it out.' ELSE '' END,
       CASE WHEN t.late THEN 1 ELSE 0 END,
       CASE WHEN t.late THEN 'contact' ELSE '' END,
       CASE WHEN t.late THEN t.due_at END,
       t.created_at, t.customer_id, t.owner_id, t.response_id, t.survey_id,
       CASE WHEN t.status IN ('resolved', 'closed')
            THEN 1 + mod(t.case_id * 31, %(causes)s::int) END,
       NULL, '[]'::jsonb
FROM (
    SELECT m.*, m.status = 'new' AND m.due_at < %(now)s::timestamptz AS late
    FROM (
        SELECT row_number() OVER (ORDER BY resp.id) AS case_id,
               resp.id AS response_id, resp.customer_id, resp.survey_id,
               resp.routed_at AS created_at,
               resp.routed_at + CASE resp.survey_id WHEN 1 THEN interval '24 hours'
                                                    ELSE interval '48 hours' END AS due_at,
               CASE WHEN resp.score <= 3 THEN 1 ELSE 2 END AS priority,
               CASE WHEN random() < 0.08 THEN NULL
                    ELSE (%(staff_ids)s::int[])[1 + floor(random() * %(staff)s::int)::int] END
                   AS owner_id,
               CASE WHEN %(now)s::timestamptz - resp.routed_at > interval '30 days' THEN
                        CASE WHEN r.status < 0.70 THEN 'closed'
                             WHEN r.status < 0.97 THEN 'resolved'
                             ELSE 'waiting' END
                    WHEN %(now)s::timestamptz - resp.routed_at > interval '3 days' THEN
                        CASE WHEN r.status < 0.30 THEN 'closed'
                             WHEN r.status < 0.60 THEN 'resolved'
                             WHEN r.status < 0.80 THEN 'waiting'
                             ELSE 'in_progress' END
                    ELSE CASE WHEN r.status < 0.40 THEN 'new'
                              WHEN r.status < 0.80 THEN 'in_progress'
                              ELSE 'waiting' END
               END AS status,
               (1 + floor(r.contact * 20)) * interval '1 hour' AS contact,
               (1 + floor(r.resolve * 60)) * interval '1 hour' AS resolve
        FROM surveys_response AS resp
        CROSS JOIN LATERAL (
            SELECT random() AS status, random() AS contact, random() AS resolve,
                   resp.id AS seen  -- once per row, not once for the query
        ) AS r
        WHERE resp.category = 'detractor'
    ) AS m
) AS t
"""

# The measured case: the newest case of customer 1, worked by the staff member.
MEASURED_CASE_SQL = """
UPDATE followups_followupcase
SET status = 'in_progress', owner_id = (SELECT id FROM auth_user WHERE username = %(member)s),
    first_contact_at = created_at + interval '1 hour', resolved_at = NULL, closed_at = NULL,
    resolution_summary = '', root_cause_id = NULL, escalation_level = 0, escalated_at = NULL
WHERE id = (SELECT id FROM followups_followupcase WHERE customer_id = 1
            ORDER BY created_at DESC LIMIT 1)
RETURNING id
"""

# A full first page for the staff member at every size: the first LIST_PAGE
# cases are theirs. Without it, at 100 cases their list would show the 16 or
# so cases that are theirs or unassigned, and the floor of the render time
# would be a page a third as long as at 100,000.
FULL_PAGE_SQL = """
UPDATE followups_followupcase
SET owner_id = (SELECT id FROM auth_user WHERE username = %(member)s)
WHERE id <= %(page)s
"""

# The timeline: what the workflow writes as a case is worked.
EVENTS_SQL = """
INSERT INTO followups_caseevent (kind, created_at, message, data, actor_id, case_id)
SELECT e.kind, e.at, e.message, '{}'::jsonb, e.actor_id, fc.id
FROM followups_followupcase AS fc
CROSS JOIN LATERAL (VALUES
    (1, 'created', fc.created_at, 'Opened from a detractor answer.', NULL::int, true),
    (2, 'assigned', fc.created_at + interval '1 second', 'Assigned automatically.', NULL::int,
     fc.owner_id IS NOT NULL),
    (3, 'status_changed', fc.first_contact_at, 'New → In progress', fc.owner_id,
     fc.first_contact_at IS NOT NULL),
    (4, 'note', fc.first_contact_at + interval '10 minutes',
     'Called the customer; they will send the invoice number.', fc.owner_id,
     fc.first_contact_at IS NOT NULL),
    (5, 'status_changed', fc.resolved_at, 'In progress → Resolved', fc.owner_id,
     fc.resolved_at IS NOT NULL),
    (6, 'status_changed', fc.closed_at, 'Resolved → Closed', fc.owner_id,
     fc.closed_at IS NOT NULL)
) AS e(position, kind, at, message, actor_id, happened)
WHERE e.happened
ORDER BY fc.id, e.position
"""

EMAILS_SQL = """
INSERT INTO followups_outboundmessage (
    dedupe_key, template, language, channel, recipient, subject, body_text, body_html, status,
    attempts, last_error, created_at, next_attempt_at, claimed_at, sent_at, case_id,
    customer_id, response_id, created_by_id, from_name, reply_to, provider_message_id, delivery,
    delivery_error)
SELECT 'bench-case-' || fc.id, 'case_message', 'en', 'email',
       'customer' || fc.customer_id || '@example.com',
       'About your feedback', 'Thank you for telling us. We are on it.', '', 'sent', 1, '',
       fc.first_contact_at, fc.first_contact_at, NULL, fc.first_contact_at + interval '5 seconds',
       fc.id, fc.customer_id, fc.response_id, fc.owner_id, '', '', '', '', ''
FROM followups_followupcase AS fc
WHERE fc.first_contact_at IS NOT NULL
"""

GRANTS_SQL = """
INSERT INTO {table} (
    code, status, created_at, expires_at, sent_at, redeemed_at, customer_id, response_id,
    redeemed_order, redeemed_by, {catalogue_column}, survey_id)
SELECT {prefix} || resp.id, 'sent', resp.routed_at, resp.routed_at + interval '30 days',
       resp.routed_at + interval '1 minute', NULL, resp.customer_id, resp.id, '', '',
       (SELECT id FROM {catalogue} WHERE is_default), resp.survey_id
FROM surveys_response AS resp
WHERE resp.category = %(category)s
"""

DATA_TABLES = (
    "followups_caseevent",
    "followups_outboundmessage",
    "followups_offergrant",
    "followups_rewardgrant",
    "followups_improvementaction_cases",
    "followups_followupcase",
    "surveys_response",
    "surveys_invitation",
    "surveys_customer",
)


def setup_reference_data() -> None:
    """Two surveys, root causes, 12 service staff and a manager (untimed, once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from followups import roles
    from followups.models import RootCause
    from surveys.models import Survey

    for pk, slug, name in ((1, "relationship", "Relationship NPS"), (2, "support", "Support NPS")):
        Survey.objects.update_or_create(
            pk=pk, defaults={"slug": slug, "name": name, "status": Survey.Status.ACTIVE}
        )
    for name in ROOT_CAUSES:
        RootCause.objects.get_or_create(name=name)
    user_model = get_user_model()
    staff_group = Group.objects.get(name=roles.SERVICE_STAFF)
    managers = Group.objects.get(name=roles.MANAGERS)
    for index in range(1, STAFF + 1):
        user, _ = user_model.objects.get_or_create(
            username=f"agent{index:02d}",
            defaults={"is_staff": True, "first_name": f"Agent {index}", "email": ""},
        )
        user.groups.add(staff_group)
    manager, _ = user_model.objects.get_or_create(
        username=MANAGER, defaults={"is_staff": True, "email": "manager@example.com"}
    )
    manager.groups.add(managers)


def fill(database_url: str, cases: int, now: datetime, timeout: float) -> tuple[int, float]:
    """Empty the case tables and fill them for ``cases`` cases; returns the id of
    the measured case and the seconds it took."""
    from django.contrib.auth import get_user_model
    from psycopg import sql

    from followups.models import OfferGrant, RewardGrant

    started = time.perf_counter()
    staff_ids = list(
        get_user_model()
        .objects.filter(username__in=[f"agent{index:02d}" for index in range(1, STAFF + 1)])
        .order_by("username")
        .values_list("pk", flat=True)
    )
    customers = max(cases // 2, 1)
    responses = 4 * customers
    start = now - timedelta(days=SPAN_DAYS)
    params = {
        "customers": customers,
        "responses": responses,
        "start": start,
        "now": now,
        "step": (now - start - timedelta(minutes=15)) / responses,
        "staff": STAFF,
        "causes": len(ROOT_CAUSES),
        "member": STAFF_MEMBER,
        "staff_ids": staff_ids,
    }
    grants = [
        sql.SQL(GRANTS_SQL).format(
            table=sql.Identifier(model._meta.db_table),
            catalogue_column=sql.Identifier(column),
            catalogue=sql.Identifier(catalogue),
            prefix=sql.Literal(prefix),
        )
        for model, column, catalogue, prefix in (
            (OfferGrant, "offer_id", "followups_offer", "OFF-"),
            (RewardGrant, "reward_id", "followups_reward", "RWD-"),
        )
    ]
    with psycopg.connect(
        infra.psycopg_url(database_url), autocommit=True, connect_timeout=5
    ) as conn:
        conn.execute("SELECT set_config('statement_timeout', %s, false)", [f"{int(timeout)}s"])
        conn.execute("SET synchronous_commit = off")
        tables = sql.SQL(", ").join(sql.Identifier(table) for table in DATA_TABLES)
        conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(tables))
        # Every reference is valid by construction: skip the foreign-key triggers.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SELECT setseed(0.42)")
        conn.execute(CUSTOMERS_SQL, params)
        conn.execute(RESPONSES_SQL, params)
        conn.execute(CASES_SQL, params)
        conn.execute(FULL_PAGE_SQL, {**params, "page": LIST_PAGE})
        row = conn.execute(MEASURED_CASE_SQL, params).fetchone()
        conn.execute(EVENTS_SQL, params)
        conn.execute(EMAILS_SQL, params)
        conn.execute(grants[0], {"category": "passive"})
        conn.execute(grants[1], {"category": "promoter"})
        conn.execute("SET session_replication_role = DEFAULT")
        # The surveys were made with fixed ids: a benchmark run after this one
        # (the wave's) creates its own survey and must get a fresh id.
        tables = (
            "surveys_survey",
            "surveys_customer",
            "surveys_response",
            "followups_followupcase",
        )
        for table in tables:
            conn.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({name}, 'id'), "
                    "(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                ).format(name=sql.Literal(table), table=sql.Identifier(table))
            )
        for table in DATA_TABLES:
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
        counted = conn.execute("SELECT count(*) FROM followups_followupcase").fetchone()[0]
    if counted != cases or row is None:
        raise infra.BenchError(f"Filling the database for {cases:,} cases made {counted:,}.")
    return row[0], time.perf_counter() - started


# --- Measuring ----------------------------------------------------------------


@dataclass
class Page:
    """One page at one size: its queries and its render times."""

    queries: int
    times_ms: list[float]
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (ms, SQL)
    other_cpu: float = 0.0  # share of the machine other processes took while timing

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)


PAGES = ("list.manager", "list.staff", "case_page")


def _clients():
    from django.contrib.auth import get_user_model
    from django.test import Client

    # Static files are not collected for the bench; WhiteNoise says so once.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    clients = {}
    for key, username in (("manager", MANAGER), ("staff", STAFF_MEMBER)):
        client = Client(HTTP_HOST="localhost")
        client.force_login(get_user_model().objects.get(username=username))
        clients[key] = client
    return clients


def _check(reply, url: str, expect: str) -> None:
    if reply.status_code != 200:
        raise infra.BenchError(f"GET {url} answered {reply.status_code}: {reply.content[:500]!r}")
    if expect not in reply.content.decode():
        raise infra.BenchError(f"GET {url} does not show {expect!r}.")


def measure_page(
    client, url: str, expect: str, *, database: str, deadline: float, where: str
) -> Page:
    """Queries of one request after WARMUP, then the median render time of
    REQUESTS more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Warm first: a process's first request fills caches (content types) once.
    for _ in range(WARMUP):
        _check(client.get(url, secure=True), url, expect)
    with CaptureQueriesContext(connection) as captured:
        reply = client.get(url, secure=True)
    # Read now: the next request empties the query log the capture points into.
    queries = captured.captured_queries
    _check(reply, url, expect)
    slowest = sorted(
        ((float(query["time"]) * 1000, query["sql"]) for query in queries), reverse=True
    )[:SLOWEST_SHOWN]
    times = []
    meter = infra.CpuMeter(None, database).start()
    for _ in range(REQUESTS):
        started = time.perf_counter()
        reply = client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
        if reply.status_code != 200:
            raise infra.BenchError(f"GET {url} answered {reply.status_code} ({where}).")
        if time.perf_counter() > deadline:
            raise infra.BenchError(f"Timed out measuring {url} ({where}): {times} ms so far.")
    cpu = meter.stop()
    capacity = cpu["wall"] * (os.cpu_count() or 1)
    return Page(
        queries=len(queries),
        times_ms=times,
        slowest=slowest,
        other_cpu=cpu["other"] / capacity if capacity else 0.0,
    )


def measure_size(ctx, clients, cases: int, now: datetime, where: str) -> dict[str, Page]:
    from django.test.utils import override_settings
    from django.urls import reverse

    deadline = time.perf_counter() + ctx.timeout
    case_id, took = fill(ctx.env.database_url, cases, now, ctx.timeout)
    print(f"   {where}: {cases:,} cases filled in {took:.1f} s", flush=True)
    list_url = reverse("admin:followups_followupcase_changelist")
    case_url = reverse("admin:followups_followupcase_change", args=[case_id])
    # The manifest storage of production settings needs collectstatic; the
    # pages' static URLs cost the same either way.
    plain = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    measure = functools.partial(
        measure_page, database=ctx.env.database_name, deadline=deadline, where=where
    )
    with override_settings(STORAGES=plain):
        pages = {
            "list.manager": measure(clients["manager"], list_url, "field-case_number"),
            "list.staff": measure(clients["staff"], list_url, "field-case_number"),
            "case_page": measure(clients["staff"], case_url, "Timeline"),
        }
    print(
        f"   {where}: "
        + "; ".join(
            f"{name} {page.queries} queries {page.median_ms:.1f} ms" for name, page in pages.items()
        ),
        flush=True,
    )
    return pages


# --- The figures ----------------------------------------------------------------

PAGE_NOTES = {
    "list.manager": "the case list (/admin/followups/followupcase/, first page, 50 rows) as a "
    "manager, who sees every case",
    "list.staff": "the case list as a service staff member, who sees their own cases and "
    "the unassigned queue",
    "case_page": "a case page (the change view with the timeline, the forms and the "
    "customer's history) as the case's owner; the same case, with the same history, at "
    "every size",
}
FIGURE_NAMES = {
    "list.manager": "admin.case_list.manager",
    "list.staff": "admin.case_list.staff",
    "case_page": "admin.case_page",
}


def _shorten(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _details(results: dict[int, list[dict[str, Page]]], page: str) -> dict:
    details: dict = {}
    for cases, runs in results.items():
        pages = [run[page] for run in runs]
        queries = sorted({p.queries for p in pages})
        details[f"queries at {cases:,} cases"] = ", ".join(map(str, queries))
        details[f"render ms at {cases:,} cases (median of runs; runs)"] = (
            f"{statistics.median(p.median_ms for p in pages):.1f} ("
            + ", ".join(f"{p.median_ms:.1f}" for p in pages)
            + ")"
        )
    largest = max(results)
    last = results[largest][-1][page]
    for index, (ms, query) in enumerate(last.slowest, 1):
        details[f"slowest query {index} at {largest:,} cases (last run)"] = (
            f"{ms:.1f} ms: `{_shorten(query)}`"
        )
    details["CPU taken by other processes while timing, % (per size and run)"] = ", ".join(
        f"{p[page].other_cpu:.0%}" for runs in results.values() for p in runs
    )
    return details


def run(ctx) -> tuple[list[Figure], list[str]]:
    from followups.cases.admin import FollowUpCaseAdmin

    if FollowUpCaseAdmin.list_per_page != LIST_PAGE:
        raise infra.BenchError(
            f"The case list shows {FollowUpCaseAdmin.list_per_page} rows a page; "
            f"bench/admin.py fills a first page of {LIST_PAGE} for the staff member."
        )
    n = ctx.n
    sizes = sorted({min(SMALLEST, n), max(min(SMALLEST, n), n // 10), n})
    setup_reference_data()
    clients = _clients()
    now = datetime.now(UTC)
    results: dict[int, list[dict[str, Page]]] = {size: [] for size in sizes}
    for index in range(ctx.runs):
        for cases in sizes:
            where = f"run {index + 1}/{ctx.runs}, {cases:,} cases"
            results[cases].append(measure_size(ctx, clients, cases, now, where))
    floor, value = sizes[0], sizes[-1]
    floor_name = f"{floor:,} cases"
    figures = []
    for page, name in FIGURE_NAMES.items():
        details = _details(results, page)
        figures.append(
            Figure(
                name=f"{name}.queries",
                unit="queries",
                runs=[float(run[page].queries) for run in results[value]],
                floor_name=floor_name,
                floor_runs=[float(run[page].queries) for run in results[floor]],
                target=QUERY_TARGET,
                comparison="<=",
                details=details,
                note=f"queries of one request for {PAGE_NOTES[page]}, at {value:,} cases "
                f"against {floor:,}.",
            )
        )
        figures.append(
            Figure(
                name=f"{name}.ms",
                unit="ms",
                runs=[run[page].median_ms for run in results[value]],
                floor_name=floor_name,
                floor_runs=[run[page].median_ms for run in results[floor]],
                target=RENDER_TARGET,
                comparison="<=",
                details={},
                note=f"render time (median of {REQUESTS} requests after {WARMUP} untimed) of "
                f"{PAGE_NOTES[page]}, at {value:,} cases against {floor:,}; per-size numbers "
                f"in the details of `{name}.queries`.",
            )
        )
    noisy = [
        page
        for runs in results.values()
        for pages in runs
        for page in pages.values()
        if page.other_cpu > NOISY_SHARE
    ]
    notes = [
        f"Sizes: {', '.join(f'{size:,}' for size in sizes)} cases, each from 2 answers per "
        "case of half as many customers (every customer: 2 cases, an offer and a reward), "
        "filled in SQL and `VACUUM ANALYZE`d before its pages are measured; each run fills "
        "every size again. Production settings, except static files from "
        "`StaticFilesStorage` (the manifest needs `collectstatic`; a static URL costs the "
        "same either way)."
    ]
    if noisy:
        notes.insert(
            0,
            f"**Noisy:** while timing {len(noisy)} page(s), other processes took more than "
            f"{NOISY_SHARE:.0%} of the CPU; absolute times are inflated, ratios less so.",
        )
    return figures, notes
