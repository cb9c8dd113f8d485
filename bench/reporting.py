"""``python -m bench.reporting [--rows 1000000] [--runs 5]``: the NPS report and
every dashboard panel over a large table, each against a hand-written SQL query.

Target (DESIGN.md): the NPS report costs at most 1.25x the hand-written
aggregate over the same rows, measured side by side in the same run. Held here
to every panel too: each against its own floor, one hand-written query that
computes what the panel shows over the same rows (checked to return the same
numbers before anything is timed), and the whole page against the sum of its
panels' floors.

What it does, in order:

1. drops and creates its own database ``nps_bench_reports`` (never ``nps``,
   ``test_nps*`` or ``nps_bench``) and runs ``manage.py migrate`` on it;
2. fills it in SQL (``INSERT ... SELECT FROM generate_series``): 2 surveys,
   50,000 customers in 6 segments, ``--rows`` responses over two years in
   submission order, a follow-up case for every counted detractor, an offer or
   reward grant for every counted passive or promoter (what routing creates),
   invitations, staff, root causes and improvement actions; then
   ``VACUUM ANALYZE``;
3. sets Django up in this process on that database and times, with
   ``time.perf_counter``, the median of ``--runs`` rounds after one warm-up
   round: ``Response.objects...nps_summary()`` over one survey and one year,
   every panel function of ``followups.reporting.reports`` the dashboard calls (and two
   it does not), the view's segment-menu query, each next to its floor (a
   ``sql.*`` figure: the hand-written query, sent through Django's own
   connection; the floor first in even rounds, the panel first in odd ones),
   then the whole dashboard page through ``django.test.Client`` as a manager.
   A figure's ratio is the median of its per-round ratios; the page's floor in
   a round is the sum of its panels' floors in that round;
4. counts each panel's queries and the page's (``CaptureQueriesContext``),
   ``EXPLAIN ANALYZE``\\s every query once, and writes
   ``bench/results/reporting.md``;
5. adds its headline figures to ``bench/results/latest.{md,json}`` as benchmark
   ``reporting`` (``bench.report.write``, merged with the other benchmarks'):
   every panel against its floor and the page against the sum of its panels'
   floors, target <= 1.25 each, with their query counts and plans.

Only the bench's own database is dropped, and only at the start: it is left in
place afterwards for inspection (``--reuse`` measures it again without
regenerating the data: it migrates it, so a new migration's data step runs on a
million rows, then ``VACUUM ANALYZE``\\s it). Redis is only asked its version
(``BENCH_BROKER_URL``), which ``latest.json`` records with the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

import psycopg
from psycopg import sql

from . import infra, report

DESCRIPTION = (
    "The NPS report and every dashboard panel over one survey and one year of a table "
    "of N responses, each timed against a hand-written SQL query computing the same "
    "numbers over the same rows (`sql.*`), the page against the sum of its panels' "
    "floors, measured in the same rounds (`python -m bench.reporting`; the queries, "
    "plans and data are in `bench/results/reporting.md`)."
)
DATABASE_NAME = "nps_bench_reports"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
RESULTS_PATH = Path(__file__).resolve().parent / "results" / "reporting.md"
DEFAULT_ROWS = 1_000_000
DEFAULT_RUNS = 5
CUSTOMERS = 50_000
# DESIGN.md: the NPS report may cost at most this much of the hand-written
# aggregate. Every panel is held to the same against its own hand-written
# query, and the page against the sum of its panels' queries.
TARGET = 1.25
FLOOR = "sql.nps_1y"
PERIOD_DAYS = 365
SPAN_DAYS = 2 * PERIOD_DAYS  # the data: this period and the one before
SEGMENTS = ("enterprise", "mid-market", "smb", "consumer", "public sector", "partner")
STAFF = 12
MANAGER_USERNAME = "bench-manager"
MANAGER_ID = STAFF + 1
ROOT_CAUSES = (
    "Slow support response",
    "Billing error",
    "Delivery delay",
    "Product defect",
    "Missing feature",
    "Onboarding difficulty",
    "Price increase",
    "Website problem",
    "Unfriendly staff",
    "Account access",
    "Documentation gap",
    "Other",
)
# Never dropped, never written: the test suite's, the other bench's, the server's.
FORBIDDEN_DATABASES = {*infra.FORBIDDEN_DATABASES, "nps_bench"}


class BenchError(infra.BenchError):
    pass


def log(message: str) -> None:
    print(message, flush=True)


# --- The database -------------------------------------------------------------


def _admin_url() -> str:
    return infra.psycopg_url(DATABASE_URL, database="postgres")


def _check_name(name: str) -> None:
    if name != DATABASE_NAME or name in FORBIDDEN_DATABASES or name.startswith("test_nps"):
        raise BenchError(f"Refusing to touch the database {name!r}: it is not this bench's.")


def database_exists() -> bool:
    with psycopg.connect(_admin_url(), autocommit=True, connect_timeout=5) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
        return row.fetchone() is not None


def recreate_database() -> None:
    _check_name(DATABASE_NAME)
    with psycopg.connect(_admin_url(), autocommit=True, connect_timeout=5) as conn:
        name = sql.Identifier(DATABASE_NAME)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def django_environment(secret_key: str, statement_timeout_s: float) -> dict[str, str]:
    """The variables Django reads, for ``migrate`` and for this process. Set,
    not defaulted: a ``DATABASE_URL`` inherited from the shell must not win."""
    return {
        "DJANGO_SETTINGS_MODULE": "nps_project.settings.dev",
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "testserver,localhost",
        # One persistent connection, as a web process has between requests.
        "CONN_MAX_AGE": "3600",
        "LOG_LEVEL": "WARNING",
        "BENCH_STATEMENT_TIMEOUT_MS": str(int(statement_timeout_s * 1000)),
    }


def migrate(variables: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=infra.ROOT,
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode:
        raise BenchError(f"manage.py migrate failed:\n{result.stdout}\n{result.stderr}")


# --- The data -----------------------------------------------------------------

# Segment and language are functions of the customer id, so responses carry
# their customer's without a join and stay in submission order on disk (as
# answers recorded over time are). Session-local functions: nothing is left
# in the schema.
GENERATION_FUNCTIONS = (
    """
    CREATE FUNCTION pg_temp.bench_segment(customer bigint) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE
            WHEN mod(customer * 7919, 100) < 8 THEN 'enterprise'
            WHEN mod(customer * 7919, 100) < 22 THEN 'mid-market'
            WHEN mod(customer * 7919, 100) < 47 THEN 'smb'
            WHEN mod(customer * 7919, 100) < 82 THEN 'consumer'
            WHEN mod(customer * 7919, 100) < 92 THEN 'public sector'
            ELSE 'partner'
        END
    $$
    """,
    """
    CREATE FUNCTION pg_temp.bench_locale(customer bigint) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
        SELECT (ARRAY['en', 'en', 'en', 'pl', 'ru', 'zh-hans'])[1 + mod(customer, 6)::int]
    $$
    """,
    # A plausible score: 25% detractors, 30% passives, 45% promoters on
    # average, better in some segments than others, slowly improving.
    """
    CREATE FUNCTION pg_temp.bench_score(u float8, segment text, survey int, progress float8)
    RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
        SELECT width_bucket(
            least(0.999999, greatest(0.0,
                u
                + CASE segment
                    WHEN 'enterprise' THEN 0.06 WHEN 'mid-market' THEN 0.03
                    WHEN 'consumer' THEN -0.03 WHEN 'public sector' THEN -0.07
                    WHEN 'partner' THEN 0.09 ELSE 0.0 END
                + CASE survey WHEN 1 THEN 0.0 ELSE -0.05 END
                + 0.08 * (progress - 0.5))),
            ARRAY[0.02, 0.035, 0.055, 0.08, 0.115, 0.17, 0.25, 0.37, 0.55, 0.77]::float8[]
        )::smallint
    $$
    """,
)

SURVEYS_SQL = """
INSERT INTO surveys_survey (
    id, slug, name, question, follow_up_question, question_pl, question_ru, question_zh_hans,
    follow_up_question_pl, follow_up_question_ru, follow_up_question_zh_hans, driver_question,
    driver_question_pl, driver_question_ru, driver_question_zh_hans, default_locale,
    status,
    throttle_days, reminder_after_days, invitation_lifetime_days, detractor_sla_hours,
    detractor_resolution_hours, sla_business_hours,
    auto_assign, recurrence, benchmark_nps, created_at, last_wave_at, kind)
VALUES
    (1, 'relationship', 'Relationship NPS',
     'How likely are you to recommend us to a friend or colleague?',
     'What is the main reason for your score?', '', '', '', '', '', '', '', '', '', '', 'en',
     'active', 30, 7, 30, 24, 72, false,
     true, 'quarterly', 30, %(created)s, NULL, 'customer'),
    (2, 'support', 'Support NPS',
     'How likely are you to recommend our support to a friend or colleague?',
     'What is the main reason for your score?', '', '', '', '', '', '', '', '', '', '', 'en',
     'active', 30, 7, 30, 48, 72, false,
     true, '', NULL, %(created)s, NULL, 'customer')
"""

CUSTOMERS_SQL = """
INSERT INTO surveys_customer (
    id, email, name, external_id, segment, locale, unsubscribed_at, erased_at,
    created_at, updated_at, unsubscribe_key, email_problem, time_zone)
SELECT g, 'customer' || g || '@example.com', 'Customer ' || g, 'crm-' || g,
       pg_temp.bench_segment(g), pg_temp.bench_locale(g),
       CASE WHEN mod(g, 40) = 0 THEN %(created)s::timestamptz END, NULL,
       %(created)s::timestamptz, %(created)s::timestamptz, md5(g::text), '', ''
FROM generate_series(1, %(customers)s::int) AS g
"""

STAFF_SQL = """
INSERT INTO auth_user (
    id, password, last_login, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined)
SELECT g, '!', NULL::timestamptz, false, 'agent' || lpad(g::text, 2, '0'),
       (ARRAY['Ada', 'Bo', 'Cyril', 'Dana', 'Emil', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun',
              'Kai', 'Lea'])[1 + mod(g - 1, 12)],
       'Agent', 'agent' || g || '@example.com', true, true, %(created)s::timestamptz
FROM generate_series(1, %(staff)s::int) AS g
UNION ALL
SELECT %(manager_id)s::int, '!', NULL::timestamptz, false, %(manager)s, 'Bench', 'Manager',
       'manager@example.com', true, true, %(created)s::timestamptz
"""

GROUPS_SQL = """
INSERT INTO auth_user_groups (user_id, group_id)
SELECT g, (SELECT id FROM auth_group WHERE name = 'Service staff')
FROM generate_series(1, %(staff)s::int) AS g
UNION ALL
SELECT %(manager_id)s::int, (SELECT id FROM auth_group WHERE name = 'Managers')
"""

ROOT_CAUSES_SQL = """
INSERT INTO followups_rootcause (id, name, description, is_active)
SELECT i, name, '', true FROM unnest(%(names)s::text[]) WITH ORDINALITY AS t(name, i)
"""

RESPONSES_SQL = """
INSERT INTO surveys_response (
    id, score, category, comment, channel, submitted_at, segment, locale, idempotency_key,
    exclusion_reason, created_at, routed_at, customer_id, invitation_id, survey_id,
    properties, is_historical, source)
SELECT s.g, s.score,
       CASE WHEN s.score <= 6 THEN 'detractor' WHEN s.score <= 8 THEN 'passive'
            ELSE 'promoter' END,
       CASE WHEN s.c < 0.3 THEN (ARRAY[
           'Support took days to answer.', 'Great product, fair price.',
           'The invoice was wrong again.', 'Delivery was late.',
           'Easy to use, saves me time.', 'Missing the export I need.',
           'Friendly people on the phone.', 'The new pricing is too high.'])[1 + mod(s.g, 8)]
            ELSE '' END,
       (ARRAY['link', 'email', 'email', 'api', 'sms'])[1 + mod(s.g, 5)],
       s.submitted_at, pg_temp.bench_segment(s.customer_id), pg_temp.bench_locale(s.customer_id),
       NULL,
       CASE WHEN s.x < 0.010 THEN 'test' WHEN s.x < 0.013 THEN 'spam'
            WHEN s.x < 0.015 THEN 'duplicate' ELSE '' END,
       s.submitted_at + interval '1 second',
       s.submitted_at + interval '2 seconds' + s.c * interval '30 seconds',
       s.customer_id, NULL, s.survey_id, '{}'::jsonb, false, ''
FROM (
    SELECT b.*, pg_temp.bench_score(
               b.u, pg_temp.bench_segment(b.customer_id), b.survey_id,
               b.g::float8 / %(rows)s::int) AS score
    FROM (
        SELECT g,
               %(start)s::timestamptz + (g - 1) * %(step)s::interval
                   + random() * interval '10 minutes' AS submitted_at,
               1 + floor(random() * %(customers)s::int)::bigint AS customer_id,
               CASE WHEN random() < 0.65 THEN 1 ELSE 2 END AS survey_id,
               random() AS u, random() AS c, random() AS x
        FROM generate_series(1, %(rows)s::int) AS g
    ) AS b
) AS s
"""

# One case per counted detractor (what routing creates), its state by age, with
# both deadlines (first contact, and resolution within the default 72 hours), so
# that overdue follows each case's current one as in production.
CASES_SQL = """
INSERT INTO followups_followupcase (
    id, status, priority, created_at, due_at, resolution_due_at, first_contact_at, resolved_at,
    closed_at, resolution_summary, escalation_level, escalation_phase, escalated_at, updated_at,
    customer_id, owner_id, response_id, survey_id, root_cause_id, resurvey_invitation_id,
    suggestion_words)
SELECT t.id, t.status, t.priority, t.created_at, t.due_at, t.resolution_due_at,
       t.first_contact_at, t.resolved_at, t.closed_at,
       CASE WHEN t.resolved_at IS NOT NULL THEN 'Called the customer and sorted it out.'
            ELSE '' END,
       CASE WHEN t.late THEN 1 ELSE 0 END,
       CASE WHEN t.late THEN 'contact' ELSE '' END,
       CASE WHEN t.late THEN t.due_at END,
       coalesce(t.closed_at, t.resolved_at, t.first_contact_at, t.created_at),
       t.customer_id, t.owner_id, t.id, t.survey_id, t.root_cause_id, NULL, '[]'::jsonb
FROM (
    SELECT m.*,
           CASE WHEN m.status <> 'new'
                THEN least(%(now)s::timestamptz, m.created_at + m.contact) END
               AS first_contact_at,
           CASE WHEN m.status IN ('resolved', 'closed')
                THEN least(%(now)s::timestamptz, m.created_at + m.contact + m.resolve) END
               AS resolved_at,
           CASE WHEN m.status = 'closed'
                THEN least(%(now)s::timestamptz,
                           m.created_at + m.contact + m.resolve + interval '1 day') END
               AS closed_at,
           (m.contact > m.due_at - m.created_at OR m.status = 'new')
               AND m.due_at < %(now)s::timestamptz AS late,
           CASE WHEN m.r_cause < (CASE WHEN m.status IN ('resolved', 'closed') THEN 0.85
                                       ELSE 0.2 END)
                THEN 1 + floor(%(causes)s::int * power(m.r_which, 1.7))::bigint END
               AS root_cause_id
    FROM (
        SELECT r.*,
               CASE WHEN r.age > interval '30 days' THEN
                        CASE WHEN r.r_status < 0.70 THEN 'closed'
                             WHEN r.r_status < 0.94 THEN 'resolved'
                             WHEN r.r_status < 0.97 THEN 'waiting'
                             WHEN r.r_status < 0.99 THEN 'in_progress' ELSE 'new' END
                    WHEN r.age > interval '3 days' THEN
                        CASE WHEN r.r_status < 0.30 THEN 'closed'
                             WHEN r.r_status < 0.60 THEN 'resolved'
                             WHEN r.r_status < 0.75 THEN 'waiting'
                             WHEN r.r_status < 0.92 THEN 'in_progress' ELSE 'new' END
                    ELSE
                        CASE WHEN r.r_status < 0.40 THEN 'new'
                             WHEN r.r_status < 0.75 THEN 'in_progress'
                             WHEN r.r_status < 0.85 THEN 'waiting' ELSE 'resolved' END
               END AS status
        FROM (
            SELECT resp.id, resp.customer_id, resp.survey_id, resp.routed_at AS created_at,
                   resp.routed_at + CASE resp.survey_id WHEN 1 THEN interval '24 hours'
                                                        ELSE interval '48 hours' END AS due_at,
                   resp.routed_at + interval '72 hours' AS resolution_due_at,
                   CASE WHEN resp.score <= 3 THEN 1 ELSE 2 END AS priority,
                   %(now)s::timestamptz - resp.routed_at AS age,
                   CASE WHEN random() < 0.08 THEN NULL
                        ELSE 1 + floor(random() * %(staff)s::int)::int END AS owner_id,
                   -ln(1.0 - random()) * interval '9 hours' AS contact,
                   -ln(1.0 - random()) * interval '40 hours' AS resolve,
                   random() AS r_status, random() AS r_cause, random() AS r_which
            FROM surveys_response AS resp
            WHERE resp.category = 'detractor' AND resp.exclusion_reason = ''
        ) AS r
    ) AS m
) AS t
"""

# An offer per counted passive and a reward per counted promoter.
GRANTS_SQL = """
INSERT INTO {table} (
    id, code, status, created_at, expires_at, sent_at, redeemed_at, customer_id,
    response_id, survey_id, redeemed_order, redeemed_by, {catalogue_column})
SELECT t.id, {prefix} || t.id, t.status, t.created_at, t.created_at + {valid},
       t.created_at + interval '1 minute',
       CASE WHEN t.status = 'redeemed' THEN t.created_at + t.r * {valid} END,
       t.customer_id, t.id, t.survey_id, '', '', {catalogue_id}
FROM (
    SELECT resp.id, resp.customer_id, resp.survey_id, resp.routed_at AS created_at,
           random() AS r,
           CASE WHEN resp.routed_at + {valid} < %(now)s::timestamptz THEN
                    CASE WHEN random() < 0.25 THEN 'redeemed' ELSE 'expired' END
                ELSE CASE WHEN random() < 0.12 THEN 'redeemed'
                          WHEN random() < 0.95 THEN 'sent' ELSE 'issued' END
           END AS status
    FROM surveys_response AS resp
    WHERE resp.category = {category} AND resp.exclusion_reason = ''
) AS t
"""

INVITATIONS_SQL = """
INSERT INTO surveys_invitation (
    id, channel, nonce, token_hash, created_at, expires_at, sent_at, reminded_at, opened_at,
    responded_at, customer_id, survey_id, properties, skip_reason)
SELECT b.g, 'email', substr(md5('n' || b.g) || md5('m' || b.g), 1, 43),
       encode(sha256(('bench-invitation-' || b.g)::bytea), 'hex'),
       b.created_at, b.created_at + interval '30 days', b.created_at + interval '1 minute',
       CASE WHEN b.r >= 0.45 AND b.created_at + interval '7 days' < %(now)s::timestamptz
            THEN b.created_at + interval '7 days' END,
       CASE WHEN b.r < 0.6 THEN least(%(now)s::timestamptz, b.created_at + b.r * interval '2 days')
            END,
       CASE WHEN b.r < 0.45
            THEN least(%(now)s::timestamptz, b.created_at + b.r * interval '5 days') END,
       b.customer_id, b.survey_id, '{}'::jsonb, ''
FROM (
    SELECT g, %(start)s::timestamptz + (g - 1) * %(step)s::interval AS created_at,
           random() AS r, 1 + floor(random() * %(customers)s::int)::bigint AS customer_id,
           CASE WHEN random() < 0.65 THEN 1 ELSE 2 END AS survey_id
    FROM generate_series(1, %(invitations)s::int) AS g
) AS b
"""

ACTIONS_SQL = """
INSERT INTO followups_improvementaction (
    id, title, description, priority, status, target_segment, effective_from, created_at,
    owner_id, root_cause_id, survey_id)
SELECT i, a.title, '', a.priority, a.status, a.segment,
       CASE WHEN a.days IS NOT NULL THEN %(now)s::timestamptz - a.days * interval '1 day' END,
       %(now)s::timestamptz - (coalesce(a.days, 10) + 30) * interval '1 day',
       %(manager_id)s::int, a.cause, a.survey
FROM unnest(
    %(titles)s::text[], %(priorities)s::int[], %(statuses)s::text[], %(segments)s::text[],
    %(days)s::int[], %(causes)s::int[], %(surveys)s::int[]
) WITH ORDINALITY AS a(title, priority, status, segment, days, cause, survey, i)
"""

ACTIONS = (
    # title, priority, status, target segment, in effect (days ago), root cause, survey
    ("Support hotline staffed until 8 pm", 1, "done", "", 600, 1, 1),
    ("Invoices checked before sending", 1, "done", "smb", 480, 2, 1),
    ("Second delivery partner", 2, "done", "consumer", 400, 3, 1),
    ("Quality gate before release", 1, "done", "", 300, 4, 1),
    ("CSV export", 2, "done", "enterprise", 220, 5, 1),
    ("Guided onboarding", 2, "in_progress", "mid-market", 120, 6, 1),
    ("Grandfathered prices", 1, "in_progress", "public sector", 60, 7, 1),
    ("Status page", 3, "in_progress", "", 20, 8, 1),
    ("Friendlier scripts", 3, "planned", "", None, 9, 1),
    ("Single sign-on", 2, "dropped", "enterprise", 200, 10, 1),
    ("Chat support", 1, "done", "", 250, 1, 2),
    ("Knowledge base rewrite", 2, "in_progress", "", 45, 11, 2),
)

SEQUENCED_TABLES = (
    "surveys_survey",
    "surveys_customer",
    "surveys_response",
    "surveys_invitation",
    "auth_user",
    "followups_rootcause",
    "followups_followupcase",
    "followups_offergrant",
    "followups_rewardgrant",
    "followups_improvementaction",
)


def generate(rows: int, now: datetime, start: datetime, timeout_s: float) -> dict[str, float]:
    """Fill the migrated database; returns seconds per step."""
    invitations = max(rows // 4, 1)
    params = {
        "rows": rows,
        "customers": min(CUSTOMERS, max(rows // 10, 10)),
        "staff": STAFF,
        "manager_id": MANAGER_ID,
        "manager": MANAGER_USERNAME,
        "causes": len(ROOT_CAUSES),
        "names": list(ROOT_CAUSES),
        "now": now,
        "start": start,
        "created": start - timedelta(days=60),
        # Submitted in order over the span, the last one a little before now.
        "step": (now - start - timedelta(minutes=15)) / rows,
        "invitations": invitations,
        "invitations_step": (now - start - timedelta(minutes=15)) / invitations,
    }
    titles, priorities, statuses, segments, days, causes, surveys = zip(*ACTIONS, strict=True)
    actions = {
        "titles": list(titles),
        "priorities": list(priorities),
        "statuses": list(statuses),
        "segments": list(segments),
        "days": list(days),
        "causes": list(causes),
        "surveys": list(surveys),
    }
    offer_grants = sql.SQL(GRANTS_SQL).format(
        table=sql.Identifier("followups_offergrant"),
        catalogue_column=sql.Identifier("offer_id"),
        catalogue_id=sql.SQL("(SELECT id FROM followups_offer WHERE is_default)"),
        prefix=sql.Literal("OFF-"),
        valid=sql.SQL("interval '30 days'"),
        category=sql.Literal("passive"),
    )
    reward_grants = sql.SQL(GRANTS_SQL).format(
        table=sql.Identifier("followups_rewardgrant"),
        catalogue_column=sql.Identifier("reward_id"),
        catalogue_id=sql.SQL("(SELECT id FROM followups_reward WHERE is_default)"),
        prefix=sql.Literal("RWD-"),
        valid=sql.SQL("interval '60 days'"),
        category=sql.Literal("promoter"),
    )
    steps = [
        ("surveys", SURVEYS_SQL, params),
        ("customers", CUSTOMERS_SQL, params),
        ("staff and manager", STAFF_SQL, params),
        ("group memberships", GROUPS_SQL, params),
        ("root causes", ROOT_CAUSES_SQL, params),
        ("responses", RESPONSES_SQL, params),
        ("follow-up cases", CASES_SQL, params),
        ("offer grants", offer_grants, params),
        ("reward grants", reward_grants, params),
        ("invitations", INVITATIONS_SQL, {**params, "step": params["invitations_step"]}),
        ("improvement actions", ACTIONS_SQL, {**params, **actions}),
    ]
    took: dict[str, float] = {}
    _check_name(DATABASE_NAME)
    url = infra.psycopg_url(DATABASE_URL)
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("SELECT set_config('statement_timeout', %s, false)", [f"{int(timeout_s)}s"])
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '256MB'")
        # Every reference is valid by construction: skip the deferred foreign-key
        # triggers (millions of queued checks). CHECK constraints still apply.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SELECT setseed(0.42)")
        for statement in GENERATION_FUNCTIONS:
            conn.execute(statement)
        for name, statement, values in steps:
            started = time.perf_counter()
            cursor = conn.execute(statement, values)
            took[name] = time.perf_counter() - started
            log(f"  {name}: {cursor.rowcount:,} rows in {took[name]:.1f} s")
        conn.execute("SET session_replication_role = DEFAULT")
        for table in SEQUENCED_TABLES:
            conn.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({name}, 'id'), "
                    "(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                ).format(name=sql.Literal(table), table=sql.Identifier(table))
            )
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        took["VACUUM ANALYZE"] = time.perf_counter() - started
        log(f"  VACUUM ANALYZE in {took['VACUUM ANALYZE']:.1f} s")
    return took


def vacuum_analyze() -> None:
    """``VACUUM ANALYZE`` a reused database after migrating it: a data migration
    that rewrote rows leaves them not all-visible, so index-only scans would
    fetch every row from the heap until autovacuum came by (as it would in
    production some minutes after deploying), and the planner's statistics
    would not know the new columns."""
    _check_name(DATABASE_NAME)
    url = infra.psycopg_url(DATABASE_URL)
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("VACUUM ANALYZE")


def data_summary() -> dict:
    """Row counts and shape of what is measured, read back from the database."""
    from django.db import connection

    tables = (
        "surveys_customer",
        "surveys_response",
        "followups_followupcase",
        "followups_offergrant",
        "followups_rewardgrant",
        "surveys_invitation",
        "followups_improvementaction",
    )
    summary: dict = {"rows": {}}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)).as_string(None)
            )
            summary["rows"][table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT category, count(*) FROM surveys_response WHERE exclusion_reason = '' "
            "GROUP BY category ORDER BY category"
        )
        summary["categories"] = dict(cursor.fetchall())
        cursor.execute(
            "SELECT exclusion_reason, count(*) FROM surveys_response "
            "WHERE exclusion_reason <> '' GROUP BY 1 ORDER BY 1"
        )
        summary["excluded"] = dict(cursor.fetchall())
        cursor.execute("SELECT status, count(*) FROM followups_followupcase GROUP BY 1 ORDER BY 1")
        summary["case_statuses"] = dict(cursor.fetchall())
        cursor.execute("SELECT count(DISTINCT segment) FROM surveys_customer")
        summary["segments"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT correlation FROM pg_stats WHERE tablename = 'surveys_response' "
            "AND attname = 'submitted_at'"
        )
        row = cursor.fetchone()
        summary["submitted_at_correlation"] = None if row is None else round(row[0], 3)
        for table in ("surveys_response", "followups_followupcase"):
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [table])
            summary[f"size {table}"] = cursor.fetchone()[0]
    return summary


# --- Measuring ----------------------------------------------------------------


@dataclass
class Measured:
    """One figure: its per-round times, its queries, and what its plans say.

    A panel names its ``floor`` (a ``sql.*`` figure: one hand-written query
    that computes what the panel shows over the same rows) and both have a
    ``shape``: their results as plain numbers, which must be equal before
    anything is timed."""

    name: str
    run: Callable[[], object]
    description: str
    on_page: bool = True
    floor: str = ""
    shape: Callable[[object], object] = lambda result: result
    repeats: int = 1  # times run per round (the mean is recorded); see SPAN_MS
    times_ms: list[float] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)
    plans: list[dict] = field(default_factory=list)  # per query: summary, ms, text

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def is_floor(self) -> bool:
        return self.name.startswith("sql.")


def _ratios(times_ms: list[float], floor_ms: list[float]) -> list[float]:
    return [a / b for a, b in zip(times_ms, floor_ms, strict=True)]


# The floors: one hand-written query per panel, over the same rows, returning
# what the panel shows (names, counts, percentiles), as someone who knows the
# schema and its indexes would write it. Sent through Django's own connection.
# The parameters: survey, start and end of the selection (half-open), before
# (the start of the period before), now.
FLOOR_SQL = """
SELECT count(*) FILTER (WHERE category = 'promoter'),
       count(*) FILTER (WHERE category = 'passive'),
       count(*) FILTER (WHERE category = 'detractor')
FROM surveys_response
WHERE survey_id = %(survey)s AND exclusion_reason = ''
  AND submitted_at >= %(start)s AND submitted_at < %(end)s
"""
# The two floors that are not named after their panel.
FLOOR_NAMES = {"orm.nps_summary": FLOOR, "reports.nps_panel": "sql.nps_2periods"}

# nps_panel's window: this period and the one before, six counts in one pass.
WINDOW_SQL = """
SELECT count(*) FILTER (WHERE category = 'promoter' AND submitted_at >= %(start)s),
       count(*) FILTER (WHERE category = 'passive' AND submitted_at >= %(start)s),
       count(*) FILTER (WHERE category = 'detractor' AND submitted_at >= %(start)s),
       count(*) FILTER (WHERE category = 'promoter' AND submitted_at < %(start)s),
       count(*) FILTER (WHERE category = 'passive' AND submitted_at < %(start)s),
       count(*) FILTER (WHERE category = 'detractor' AND submitted_at < %(start)s)
FROM surveys_response
WHERE survey_id = %(survey)s AND exclusion_reason = ''
  AND submitted_at >= %(before)s AND submitted_at < %(end)s
"""

DISTRIBUTION_SQL = """
SELECT score, count(*)
FROM surveys_response
WHERE survey_id = %(survey)s AND exclusion_reason = ''
  AND submitted_at >= %(start)s AND submitted_at < %(end)s
GROUP BY score
"""

RESPONSE_RATE_SQL = """
SELECT count(*), count(responded_at)
FROM surveys_invitation
WHERE survey_id = %(survey)s AND created_at >= %(start)s AND created_at < %(end)s
"""

# The connection's time zone is UTC (Django sets it), so date_trunc of the
# timestamptz cuts at midnight UTC, as the report does with TIME_ZONE = UTC.
TREND_SQL = """
SELECT date_trunc('{unit}', submitted_at),
       count(*) FILTER (WHERE category = 'promoter'),
       count(*) FILTER (WHERE category = 'passive'),
       count(*) FILTER (WHERE category = 'detractor')
FROM surveys_response
WHERE survey_id = %(survey)s AND exclusion_reason = ''
  AND submitted_at >= %(start)s AND submitted_at < %(end)s
GROUP BY 1 ORDER BY 1
"""

BY_SEGMENT_SQL = """
SELECT segment,
       count(*) FILTER (WHERE category = 'promoter'),
       count(*) FILTER (WHERE category = 'passive'),
       count(*) FILTER (WHERE category = 'detractor')
FROM surveys_response
WHERE survey_id = %(survey)s AND exclusion_reason = ''
  AND submitted_at >= %(start)s AND submitted_at < %(end)s
GROUP BY segment ORDER BY segment
"""

SEGMENT_NAMES_SQL = """
SELECT DISTINCT segment FROM surveys_customer WHERE segment <> '' ORDER BY segment
"""

# Both percentiles of a duration in one ordered-set aggregate (one sort).
LOOP_KPIS_SQL = """
SELECT count(*), count(first_contact_at),
       count(*) FILTER (WHERE first_contact_at <= due_at),
       count(*) FILTER (WHERE status IN ('new', 'in_progress', 'waiting')),
       count(*) FILTER (WHERE status IN ('new', 'in_progress', 'waiting')
                          AND current_deadline <= %(now)s),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (
           ORDER BY extract(epoch FROM first_contact_at - created_at)),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (
           ORDER BY extract(epoch FROM resolved_at - created_at))
FROM followups_followupcase
WHERE survey_id = %(survey)s AND created_at >= %(start)s AND created_at < %(end)s
"""

# Counted per owner first, then named: a dozen rows joined, not every case.
CASES_BY_OWNER_SQL = """
SELECT u.username, u.first_name, u.last_name, c.open, c.overdue, c.resolved
FROM (
    SELECT owner_id,
           count(*) FILTER (WHERE status IN ('new', 'in_progress', 'waiting')) AS open,
           count(*) FILTER (WHERE status IN ('new', 'in_progress', 'waiting')
                              AND current_deadline <= %(now)s) AS overdue,
           count(resolved_at) AS resolved
    FROM followups_followupcase
    WHERE survey_id = %(survey)s AND created_at >= %(start)s AND created_at < %(end)s
    GROUP BY owner_id
) AS c
LEFT JOIN auth_user AS u ON u.id = c.owner_id
ORDER BY c.overdue DESC, c.open DESC, u.username
"""

ROOT_CAUSES_FLOOR_SQL = """
SELECT rc.name, c.n
FROM (
    SELECT root_cause_id, count(*) AS n
    FROM followups_followupcase
    WHERE survey_id = %(survey)s AND created_at >= %(start)s AND created_at < %(end)s
      AND root_cause_id IS NOT NULL
    GROUP BY root_cause_id
) AS c
JOIN followups_rootcause AS rc ON rc.id = c.root_cause_id
ORDER BY c.n DESC, rc.name
LIMIT 10
"""

ROOT_CAUSE_TREND_SQL = """
SELECT c.month, rc.name, c.n
FROM (
    SELECT date_trunc('month', created_at) AS month, root_cause_id, count(*) AS n
    FROM followups_followupcase
    WHERE survey_id = %(survey)s AND created_at >= %(start)s AND created_at < %(end)s
      AND root_cause_id IS NOT NULL
    GROUP BY 1, 2
) AS c
JOIN followups_rootcause AS rc ON rc.id = c.root_cause_id
ORDER BY c.month, rc.name
"""

GRANTS_FLOOR_SQL = """
SELECT 'offers', count(*), count(*) FILTER (WHERE status = 'redeemed'),
       count(*) FILTER (WHERE status = 'redeemed' AND redeemed_at <= expires_at)
FROM followups_offergrant
WHERE survey_id = %(survey)s AND created_at >= %(start)s AND created_at < %(end)s
UNION ALL
SELECT 'rewards', count(*), count(*) FILTER (WHERE status = 'redeemed'),
       count(*) FILTER (WHERE status = 'redeemed' AND redeemed_at <= expires_at)
FROM followups_rewardgrant
WHERE survey_id = %(survey)s AND created_at >= %(start)s AND created_at < %(end)s
"""

# The survey's first ten actions as the dashboard lists them (not dropped, by
# priority, newest first), those with a start date, with what the panel shows
# of each, and the NPS counts 90 days before and after (until now) in the
# action's target segment, or all segments. One branch per case, the other
# switched off by its one-time filter, so each window is a range scan of the
# index that fits it (one branch with `target_segment = '' OR segment = ...`
# reads every segment's rows for the segment windows: 2.5x slower).
ACTION_EFFECTS_SQL = """
SELECT a.id, a.title, a.status, a.target_segment, rc.name, u.username, w.name,
       c.promoters, c.passives, c.detractors
FROM (
    SELECT * FROM followups_improvementaction
    WHERE survey_id = %(survey)s AND status <> 'dropped'
    ORDER BY priority, created_at DESC
    LIMIT 10
) AS a
LEFT JOIN followups_rootcause AS rc ON rc.id = a.root_cause_id
LEFT JOIN auth_user AS u ON u.id = a.owner_id
CROSS JOIN LATERAL (VALUES
    ('before', a.effective_from - interval '90 days', a.effective_from),
    ('after', a.effective_from, least(a.effective_from + interval '90 days', %(now)s))
) AS w(name, low, high)
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE r.category = 'promoter') AS promoters,
           count(*) FILTER (WHERE r.category = 'passive') AS passives,
           count(*) FILTER (WHERE r.category = 'detractor') AS detractors
    FROM surveys_response AS r
    WHERE a.target_segment = '' AND r.survey_id = a.survey_id AND r.exclusion_reason = ''
      AND r.submitted_at >= w.low AND r.submitted_at < w.high
    HAVING a.target_segment = ''
    UNION ALL
    SELECT count(*) FILTER (WHERE r.category = 'promoter'),
           count(*) FILTER (WHERE r.category = 'passive'),
           count(*) FILTER (WHERE r.category = 'detractor')
    FROM surveys_response AS r
    WHERE a.target_segment <> '' AND r.survey_id = a.survey_id AND r.exclusion_reason = ''
      AND r.segment = a.target_segment
      AND r.submitted_at >= w.low AND r.submitted_at < w.high
    HAVING a.target_segment <> ''
) AS c
WHERE a.effective_from IS NOT NULL
ORDER BY a.priority, a.created_at DESC, w.name DESC
"""


def _counts(summary) -> tuple[int, int, int]:
    return (summary.promoters, summary.passives, summary.detractors)


def _hours(seconds: list[float | None] | None) -> list[float | None]:
    if seconds is None:  # no case in the period
        return [None, None]
    return [None if value is None else value / 3600 for value in seconds]


def _action_shape(rows) -> list:
    """The floor's rows, two per action, as the panel's list of effects."""
    effects: dict[int, dict] = {}
    for action_id, title, status, segment, cause, owner, window, *counts in rows:
        effect = effects.setdefault(
            action_id, {"action": (action_id, title, status, segment, cause, owner)}
        )
        effect[window] = tuple(counts)
    return [(e["action"], e["before"], e["after"]) for e in effects.values()]


def build_figures(selection, client, page_params: dict, now: datetime) -> list[Measured]:
    """Every floor followed by the panel it is the floor of, then the page.
    ``now`` is fixed for the whole run, so a panel and its floor count the
    same cases as overdue and end the same action windows."""
    from django.db import connection

    from followups.models import ImprovementAction
    from followups.reporting import reports
    from surveys.models import Customer, Response

    survey = selection.survey
    params = {
        "survey": survey.pk,
        "start": selection.start,
        "end": selection.end,
        "before": selection.previous().start,
        "now": now,
    }

    def query(statement: str) -> Callable[[], list[tuple]]:
        def run():
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall()

        return run

    def nps_summary():
        return Response.objects.filter(
            survey=survey, submitted_at__gte=selection.start, submitted_at__lt=selection.end
        ).nps_summary()

    def segment_names():
        # Verbatim the query the dashboard view runs inline for its segment menu.
        return list(
            Customer.objects.exclude(segment="")
            .order_by("segment")
            .values_list("segment", flat=True)
            .distinct()
        )

    def action_effects():
        # As the dashboard calls it: its queryset, evaluated inside.
        return reports.action_effects(
            ImprovementAction.objects.filter(survey=selection.survey)
            .exclude(status=ImprovementAction.Status.DROPPED)
            .select_related("root_cause", "owner")[:10],
            now=now,
        )

    def page():
        response = client.get("/admin/dashboard/", page_params)
        if response.status_code != 200 or b'id="panel-nps"' not in response.content:
            raise BenchError(
                f"The dashboard answered {response.status_code} without its NPS panel: "
                f"{response.content[:500]!r}"
            )
        return response

    def trend_shape(result):
        return [(period, *_counts(summary)) for period, summary in result]

    def owner_shape(result):
        keys = ("owner__username", "owner__first_name", "owner__last_name")
        return [tuple(row[k] for k in (*keys, "open", "overdue", "resolved")) for row in result]

    def kpis_shape(k):
        return (
            k.cases,
            k.contacted,
            k.contacted_within_sla,
            k.open,
            k.overdue,
            k.first_contact_hours,
            k.resolution_hours,
        )

    def effects_shape(effects):
        return [
            (
                (
                    e.action.pk,
                    e.action.title,
                    e.action.status,
                    e.action.target_segment,
                    e.action.root_cause.name if e.action.root_cause else None,
                    e.action.owner.username if e.action.owner else None,
                ),
                _counts(e.before),
                _counts(e.after),
            )
            for e in effects
        ]

    def pair(name, floor_sql, floor_shape, panel, panel_shape, description, on_page=True):
        floor_name = FLOOR_NAMES.get(name, "sql." + name.split(".", 1)[1])
        return [
            Measured(
                floor_name,
                query(floor_sql),
                f"the floor of `{name}`",
                on_page=False,
                shape=floor_shape,
            ),
            Measured(
                name,
                panel,
                description,
                on_page=on_page,
                floor=floor_name,
                shape=panel_shape,
            ),
        ]

    return [
        *pair(
            "orm.nps_summary",
            FLOOR_SQL,
            lambda rows: rows[0],
            nps_summary,
            _counts,
            "`Response.objects.filter(survey, period).nps_summary()`: the NPS report",
            on_page=False,
        ),
        *pair(
            "reports.nps_panel",
            WINDOW_SQL,
            lambda rows: rows[0],
            lambda: reports.nps_panel(selection),
            lambda panel: (*_counts(panel.current), *_counts(panel.previous)),
            "`nps_panel`: this period and the one before in one query",
        ),
        *pair(
            "reports.distribution",
            DISTRIBUTION_SQL,
            lambda rows: [dict(rows).get(score, 0) for score in range(11)],
            lambda: reports.distribution(selection),
            list,
            "answers per score",
        ),
        *pair(
            "reports.response_rate",
            RESPONSE_RATE_SQL,
            lambda rows: rows[0],
            lambda: reports.response_rate(selection),
            lambda row: (row["invited"], row["answered"]),
            "invitations sent / answered",
        ),
        *pair(
            "reports.trend(month)",
            TREND_SQL.replace("{unit}", "month"),
            list,
            lambda: reports.trend(selection, by="month"),
            trend_shape,
            "NPS per month (the page's default)",
        ),
        *pair(
            "reports.trend(week)",
            TREND_SQL.replace("{unit}", "week"),
            list,
            lambda: reports.trend(selection, by="week"),
            trend_shape,
            "NPS per week (`?by=week`)",
            on_page=False,
        ),
        *pair(
            "reports.by_segment",
            BY_SEGMENT_SQL,
            lambda rows: [(segment or "—", *counts) for segment, *counts in rows],
            lambda: reports.by_segment(selection),
            lambda result: [(name, *_counts(summary)) for name, summary in result],
            "NPS per segment",
        ),
        *pair(
            "dashboard.segment_names",
            SEGMENT_NAMES_SQL,
            lambda rows: [segment for (segment,) in rows],
            segment_names,
            list,
            "the view's inline query for the segment menu",
        ),
        *pair(
            "reports.loop_kpis",
            LOOP_KPIS_SQL,
            lambda rows: (*rows[0][:5], _hours(rows[0][5]), _hours(rows[0][6])),
            lambda: reports.loop_kpis(selection, now=now),
            kpis_shape,
            "case counts, SLA, time-to-contact and time-to-resolution percentiles (manager)",
        ),
        *pair(
            "reports.cases_by_owner",
            CASES_BY_OWNER_SQL,
            list,
            lambda: reports.cases_by_owner(selection, now=now),
            owner_shape,
            "open / overdue / resolved per owner",
        ),
        *pair(
            "reports.root_causes",
            ROOT_CAUSES_FLOOR_SQL,
            list,
            lambda: reports.root_causes(selection),
            lambda result: [(row["root_cause__name"], row["count"]) for row in result],
            "top 10 root causes",
        ),
        *pair(
            "reports.root_cause_trend",
            ROOT_CAUSE_TREND_SQL,
            list,
            lambda: reports.root_cause_trend(selection),
            lambda result: [(r["period"], r["root_cause__name"], r["count"]) for r in result],
            "root causes per month",
            on_page=False,
        ),
        *pair(
            "reports.grants",
            GRANTS_FLOOR_SQL,
            lambda rows: {name: tuple(counts) for name, *counts in rows},
            lambda: reports.grants(selection),
            lambda result: {
                k: (v["issued"], v["redeemed"], v["redeemed_in_time"]) for k, v in result.items()
            },
            "offers and rewards",
        ),
        *pair(
            "reports.action_effects",
            ACTION_EFFECTS_SQL,
            _action_shape,
            action_effects,
            effects_shape,
            "NPS before / after each improvement action (up to 10)",
        ),
        Measured(
            "dashboard.page",
            page,
            "GET /admin/dashboard/ as a manager (django.test.Client): every panel, "
            "the template and the middleware",
        ),
    ]


def _walk(node: dict, found: list[str]) -> None:
    if "Relation Name" in node:
        text = node["Node Type"]
        if node.get("Index Name"):
            text += f" using {node['Index Name']}"
        text += f" on {node['Relation Name']}"
        if "Heap Fetches" in node:
            text += f" (heap fetches {node['Heap Fetches']:,})"
        loops = node.get("Actual Loops", 1)
        rows = round(node.get("Actual Rows", 0) * loops)
        removed = round(node.get("Rows Removed by Filter", 0) * loops)
        text += f" [{rows:,} rows" + (f", {removed:,} filtered out]" if removed else "]")
        found.append(text)
    if node.get("Workers Launched"):
        found.append(f"{node['Node Type']}: {node['Workers Launched']} workers")
    if node.get("Sort Space Type") == "Disk":
        found.append(f"Sort on disk ({node.get('Sort Space Used', 0):,} kB)")
    for child in node.get("Plans", []):
        _walk(child, found)


PLAN_LINE_CHARS = 240
SQL_CHARS = 1200


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 25] + f" ... ({len(text):,} chars)"


def explain(query_sql: str, params=None) -> dict:
    """EXPLAIN ANALYZE one query: a one-line summary of its scans, its
    execution time, and the text plan."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query_sql, params)
        document = cursor.fetchone()[0]
        if isinstance(document, str):
            document = json.loads(document)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query_sql, params)
        # Lines shortened: the action-effects query's conditions run to pages.
        text = "\n".join(_shorten(row[0], PLAN_LINE_CHARS) for row in cursor.fetchall())
    top = document[0]
    scans: list[str] = []
    _walk(top["Plan"], scans)
    if top.get("JIT"):
        scans.append(f"JIT {top['JIT']['Timing']['Total']:.0f} ms")
    return {
        "sql": query_sql,
        "summary": "; ".join(scans) or top["Plan"]["Node Type"],
        "ms": top["Execution Time"] + top.get("Planning Time", 0.0),
        "text": text,
    }


# A round times a short panel and its floor several times over, alternating,
# and records each one's mean, so that every round's measurement spans at
# least this long: a 50 ms query on a shared machine is otherwise at the mercy
# of one scheduler hiccup (measured: the same query 33 to 82 ms within a run).
SPAN_MS = 300
MAX_REPEATS = 8


class Rounds:
    """Times every figure once per round, each panel next to its floor (the
    floor first in even rounds, the panel first in odd ones, so neither
    always finds the caches the other warmed; short ones several times over,
    see ``SPAN_MS``), the page last, and meters the CPU the rest of the
    machine took meanwhile."""

    def __init__(self, figures: list[Measured]) -> None:
        self.figures = figures
        self.by_name = {figure.name: figure for figure in figures}
        self.other_cpu: list[float] = []
        self.count = 0

    def warm_up(self) -> None:
        """One untimed round; its times set how often each pair is repeated."""
        took = self._round()
        for panel in self.figures:
            if panel.floor:
                longest = max(took[panel.name], took[panel.floor], 1.0)
                repeats = max(1, min(MAX_REPEATS, math.ceil(SPAN_MS / longest)))
                panel.repeats = self.by_name[panel.floor].repeats = repeats

    def once(self) -> None:
        meter = infra.CpuMeter(None, DATABASE_NAME).start()
        for name, mean in self._round().items():
            self.by_name[name].times_ms.append(mean)
        result = meter.stop()
        machine = result["wall"] * (os.cpu_count() or 1)
        self.other_cpu.append(100.0 * result["other"] / machine if machine else 0.0)

    def _round(self) -> dict[str, float]:
        """Each figure's mean time in ms over its repeats in this round."""
        total: dict[str, float] = {}
        for panel in self.figures:
            if panel.is_floor:
                continue
            group = [self.by_name[panel.floor], panel] if panel.floor else [panel]
            repeats = panel.repeats
            for repeat in range(repeats):
                floor_first = (self.count + repeat) % 2 == 0
                for figure in group if floor_first else reversed(group):
                    started = time.perf_counter()
                    figure.run()
                    took = (time.perf_counter() - started) * 1000
                    total[figure.name] = total.get(figure.name, 0.0) + took / repeats
        self.count += 1
        return total


def page_panels(figures: list[Measured]) -> list[Measured]:
    return [f for f in figures if f.on_page and f.floor]


def page_floor_ms(figures: list[Measured]) -> list[float]:
    """The page's floor, per round: the sum of its panels' floors, each
    measured in that round."""
    floors = {f.name: f for f in figures if f.is_floor}
    return [
        sum(values)
        for values in zip(*(floors[p.floor].times_ms for p in page_panels(figures)), strict=True)
    ]


def count_queries(figures: list[Measured]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for figure in figures:
        with CaptureQueriesContext(connection) as captured:
            figure.run()
        figure.queries = [dict(q) for q in captured.captured_queries]


def explain_all(figures: list[Measured]) -> None:
    for figure in figures:
        figure.plans = [
            explain(query["sql"])
            for query in figure.queries
            if query["sql"].lstrip("( \n").upper().startswith("SELECT")
        ]


def _same(a, b) -> bool:
    """Equal, floats within rounding (the floors' percentiles are converted
    from seconds to hours here, the panels' in Python after the query)."""
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _total(value) -> float:
    """Everything a result counts, to tell a floor that found nothing."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, str):  # a name: something was found
        return 1
    if isinstance(value, int | float):
        return value
    if isinstance(value, dict):
        value = value.values()
    if isinstance(value, list | tuple | type({}.values())):
        return sum(_total(item) for item in value)
    return 0


def check_same_results(figures: list[Measured]) -> None:
    """Every panel's result against its floor's: the same numbers over the
    same rows, and not nothing (a floor over an empty selection would be
    cheap and meaningless)."""
    by_name = {figure.name: figure for figure in figures}
    for panel in figures:
        if not panel.floor:
            continue
        floor = by_name[panel.floor]
        got, expected = panel.shape(panel.run()), floor.shape(floor.run())
        if not _same(got, expected):
            raise BenchError(
                f"{panel.name} returned {_shorten(repr(got), 600)}, its floor {floor.name} "
                f"{_shorten(repr(expected), 600)}: they do not compute the same thing over "
                "the same rows."
            )
        if _total(expected) == 0:
            raise BenchError(
                f"{floor.name} found nothing to count ({expected!r}): the selection is empty, "
                "so the comparison would mean nothing. Regenerate the data (without --reuse)."
            )


# --- Reporting ----------------------------------------------------------------


def machine_info() -> dict:
    from django.db import connection

    cpu_model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    settings = {}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        for name in (
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "random_page_cost",
            "max_parallel_workers_per_gather",
            "jit",
        ):
            cursor.execute("SELECT current_setting(%s)", [name])
            settings[name] = cursor.fetchone()[0]
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": metadata.version("django"),
        "psycopg": metadata.version("psycopg"),
        "postgres": postgres,
        "postgres_settings": settings,
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _fmt(value: float) -> str:
    return f"{value:,.1f}"


@dataclass
class Compared:
    """A panel (or the page) against its floor, as reported."""

    figure: Measured
    floor_name: str
    floor_ms: list[float]

    @property
    def ratios(self) -> list[float]:
        return _ratios(self.figure.times_ms, self.floor_ms)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def passed(self) -> bool:
        return self.ratio <= TARGET


PAGE_FLOOR = "sum of its panels' floors"


def comparisons(figures: list[Measured]) -> list[Compared]:
    by_name = {figure.name: figure for figure in figures}
    result = []
    for figure in figures:
        if figure.floor:
            floor = by_name[figure.floor]
            result.append(Compared(figure, floor.name, floor.times_ms))
        elif not figure.is_floor:  # the page
            result.append(Compared(figure, PAGE_FLOOR, page_floor_ms(figures)))
    return result


def figure_line(compared: Compared) -> str:
    figure, ratios = compared.figure, compared.ratios
    return (
        f"{figure.name:<26} median={_fmt(figure.median):>8} ms "
        f"[{_fmt(min(figure.times_ms))}, {_fmt(max(figure.times_ms))}]  "
        f"floor({compared.floor_name})={_fmt(statistics.median(compared.floor_ms))} ms  "
        f"ratio={compared.ratio:.2f} [{min(ratios):.2f}, {max(ratios):.2f}]  "
        f"(target <= {TARGET:g}){'  ok' if compared.passed else '  ABOVE TARGET'}  "
        f"queries={len(figure.queries)}"
    )


def render(
    *,
    command: str,
    machine: dict,
    args: argparse.Namespace,
    selection,
    figures: list[Measured],
    other_cpu: list[float],
    data: dict,
    generation: dict[str, float] | None,
    source: str,
    source_changed: bool,
    nps_plan: dict,
    floor_plan: dict,
) -> str:
    by_name = {figure.name: figure for figure in figures}
    page = by_name["dashboard.page"]
    settings = ", ".join(f"{k}={v}" for k, v in machine["postgres_settings"].items())
    panels = page_panels(figures)
    lines = [
        "# Reporting benchmark",
        "",
        "Written by `python -m bench.reporting` (see its docstring). The NPS report and every",
        "dashboard panel over one survey and one year of a table of "
        f"{args.rows:,} responses, each against its floor: one hand-written SQL query that "
        "computes what the panel shows over the same rows, checked to return the same "
        "numbers, measured next to it in the same rounds. The page's floor is the sum of its "
        f"panels' floors. Each figure is the median of {args.runs} rounds after one warm-up "
        "round, with the fastest and slowest in brackets; the ratio is the median of the "
        "per-round ratios to the floor.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine['cpu_count']} CPUs ({machine['cpu_model']}), {machine['platform']}; "
        f"Python {machine['python']}, Django {machine['django']}, psycopg {machine['psycopg']}, "
        f"PostgreSQL {machine['postgres']} ({settings}); load average at start "
        f"{machine['load_average_at_start']}, at end "
        f"{[round(v, 2) for v in os.getloadavg()]}; {machine['date']}. Source digest "
        f"`{source}` (`bench.report.source_digest`)"
        + (" — **the source changed during the run; re-run.**" if source_changed else "."),
        "",
        "CPU taken by other processes during each round (% of the machine): "
        + ", ".join(f"{value:.0f}%" for value in other_cpu)
        + (
            " — **noisy**: absolute times are inflated and spread out; the ratios, measured "
            "side by side, suffer less."
            if other_cpu and max(other_cpu) > 15
            else "."
        ),
        "",
        f"Selection: survey `{selection.survey.slug}`, "
        f"{selection.start:%Y-%m-%d} to {selection.end:%Y-%m-%d} (half-open, "
        f"{(selection.end - selection.start).days} days); the page is asked for the same "
        "period (`?survey=...&from=...&to=...`).",
        "",
        "| figure | median ms [min, max] | floor | floor ms | ratio [min, max] | target "
        "| queries | what |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for compared in comparisons(figures):
        figure, ratios = compared.figure, compared.ratios
        verdict = "ok" if compared.passed else "**above**"
        lines.append(
            f"| `{figure.name}` | {_fmt(figure.median)} "
            f"[{_fmt(min(figure.times_ms))}, {_fmt(max(figure.times_ms))}] "
            f"| `{compared.floor_name}` | {_fmt(statistics.median(compared.floor_ms))} "
            f"| {compared.ratio:.2f} [{min(ratios):.2f}, {max(ratios):.2f}] "
            f"| <= {TARGET:g} {verdict} | {len(figure.queries)} "
            f"| {figure.description}{'' if figure.on_page else ' (not on the page)'} |"
        )
    panel_queries = sum(len(f.queries) for f in panels)
    repeated = [f"`{f.name}` {f.repeats}x" for f in figures if f.floor and f.repeats > 1]
    lines += [
        "",
        f"Short panels and their floors are run several times over in each round, "
        f"alternating, and their mean recorded (so a round spans at least {SPAN_MS} ms of "
        f"each): {', '.join(repeated) or 'none'}.",
        "",
        f"Queries: the page runs {len(page.queries)}; its panels account for {panel_queries} "
        f"(their floors: {len(panels)}, one each; the rest of the page's: session, user, "
        "permissions, the survey menu and selection). The page's floor is the sum of the "
        f"floors of {', '.join(f'`{p.name}`' for p in panels)}.",
        "",
        "## The floors",
        "",
        "Each panel's hand-written query, as sent (the parameters bound), and its plan.",
    ]
    for figure in figures:
        if not figure.is_floor:
            continue
        query = figure.queries[0]["sql"] if figure.queries else "?"
        plan = figure.plans[0]["summary"] if figure.plans else "?"
        lines += ["", f"`{figure.name}` ({figure.description}): {plan}", "", "```sql"]
        lines += [query.strip(), "```"]
    lines += [
        "",
        "## The NPS query",
        "",
        f"`orm.nps_summary` {'uses' if nps_plan['uses_report_index'] else '**does not use**'} "
        f"the `response_report` partial index"
        f"{' (index-only scan)' if nps_plan['index_only'] else ''}. "
        f"The floor {'uses' if floor_plan['uses_report_index'] else '**does not use**'} it"
        f"{' (index-only scan)' if floor_plan['index_only'] else ''}.",
        "",
        "```sql",
        nps_plan["sql"].strip(),
        "```",
        "",
        "```",
        nps_plan["text"],
        "```",
        "",
        "The floor:",
        "",
        "```",
        floor_plan["text"],
        "```",
        "",
        "## Each query's plan",
        "",
        "EXPLAIN ANALYZE of every query once, after the timed rounds (scans, the index used, "
        "rows read; execution + planning ms).",
        "",
        "| figure | # | ms | plan |",
        "|---|---|---|---|",
    ]
    for figure in figures:
        for index, plan in enumerate(figure.plans, 1):
            summary = plan["summary"].replace("|", "/")
            lines.append(f"| `{figure.name}` | {index} | {_fmt(plan['ms'])} | {summary} |")
    page_plans = sorted(page.plans, key=lambda plan: plan["ms"], reverse=True)
    lines += ["", "## The page's queries, slowest first", "", "| ms | query |", "|---|---|"]
    for plan in page_plans:
        text = re.sub(r"\s+", " ", plan["sql"])
        text = text if len(text) <= 160 else text[:157] + "..."
        lines.append(f"| {_fmt(plan['ms'])} | `{text.replace('|', '/')}` |")
    lines += ["", "The three slowest, in full:"]
    for plan in page_plans[:3]:
        query = _shorten(plan["sql"].strip(), SQL_CHARS)
        lines += ["", "```sql", query, "```", "", "```", plan["text"], "```"]
    lines += ["", "## The data", ""]
    lines += [f"- `{table}`: {count:,} rows" for table, count in data["rows"].items()]
    lines += [
        f"- counted answers by category: {data['categories']}; excluded: {data['excluded']}",
        f"- cases by status: {data['case_statuses']}",
        f"- {data['segments']} customer segments; correlation of `submitted_at` with the "
        f"physical order: {data['submitted_at_correlation']}",
        f"- size: surveys_response {data['size surveys_response']}, followups_followupcase "
        f"{data['size followups_followupcase']} (with indexes)",
    ]
    if generation:
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in generation.items())
        lines.append(f"- generated in {sum(generation.values()):.0f} s: {steps}")
    else:
        lines.append("- reused from an earlier run (`--reuse`)")
    return "\n".join(lines) + "\n"


def headline(
    figures: list[Measured],
    *,
    rows: int,
    runs: int,
    selection,
    other_cpu: list[float],
    source: str,
    source_changed: bool,
) -> report.BenchmarkResult:
    """This run's figures as benchmark ``reporting`` of ``bench/results/latest.*``:
    every panel against its floor and the page against the sum of its panels'
    floors, target <= 1.25 each, with their query counts and plans."""
    by_name = {figure.name: figure for figure in figures}
    result = []
    for compared in comparisons(figures):
        measured = compared.figure
        details = {"queries": len(measured.queries), "repeats_per_round": measured.repeats}
        if measured.plans:
            details["plan"] = "; ".join(plan["summary"] for plan in measured.plans[:3])
        if measured.floor:
            floor = by_name[measured.floor]
            details["floor_queries"] = len(floor.queries)
            if floor.plans:
                details["floor_plan"] = floor.plans[0]["summary"]
            note = (
                f"{measured.description}, against `{floor.name}`: one hand-written query "
                "computing the same numbers over the same rows (checked equal)."
            )
        else:
            panels = page_panels(figures)
            details["floor_queries"] = len(panels)
            details["panel_queries"] = sum(len(p.queries) for p in panels)
            note = (
                f"{measured.description}, against the sum of its {len(panels)} panels' floors "
                "measured in the same round."
            )
        if not measured.on_page:
            note += " Not on the page."
        result.append(
            report.Figure(
                name=measured.name,
                unit="ms",
                runs=measured.times_ms,
                floor_name=compared.floor_name,
                floor_runs=compared.floor_ms,
                target=TARGET,
                comparison="<=",
                details=details,
                note=note,
            )
        )
    page = by_name["dashboard.page"]
    panel_queries = sum(len(f.queries) for f in page_panels(figures))
    notes = [
        f"Selection: survey `{selection.survey.slug}`, {selection.start:%Y-%m-%d} to "
        f"{selection.end:%Y-%m-%d} (half-open). Each figure is the median of {runs} rounds "
        "after a warm-up round, each panel timed next to its floor. The page ran "
        f"{len(page.queries)} queries, {panel_queries} of them its panels'.",
        "CPU taken by other processes during each round (% of the machine): "
        + ", ".join(f"{value:.0f}%" for value in other_cpu)
        + (" — **noisy**." if other_cpu and max(other_cpu) > 15 else "."),
    ]
    if source_changed:
        notes.insert(0, "**The project's source changed during this run.** Re-run it.")
    return report.BenchmarkResult(
        name="reporting",
        description=DESCRIPTION,
        n=rows,
        runs=runs,
        figures=result,
        notes=notes,
        source=source,
    )


def latest_machine() -> dict:
    """``bench.report.machine``: the description ``latest.json`` merges results
    on (it keeps other benchmarks' results only when CPU, Python, Django, Celery,
    PostgreSQL and Redis match), so it includes Redis's version although this
    bench does not use Redis."""
    import redis

    try:
        return report.machine(infra.BROKER_URL)
    except redis.RedisError as exc:
        raise BenchError(
            f"Redis at {infra.BROKER_URL} did not answer ({exc}): its version is part of the "
            "machine description bench/results/latest.json is merged on. Start Redis or set "
            "BENCH_BROKER_URL."
        ) from exc


# --- Main -----------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reporting", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--rows", type=int, default=DEFAULT_ROWS, help=f"responses (default {DEFAULT_ROWS:,})"
    )
    parser.add_argument(
        "--runs", type=int, default=DEFAULT_RUNS, help=f"timed rounds (default {DEFAULT_RUNS})"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120,
        help="seconds any one query may take while measuring (default 120)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the existing bench database again if it holds --rows responses",
    )
    args = parser.parse_args(argv)
    if args.rows < 1000 or args.runs < 1 or args.timeout <= 0:
        parser.error("--rows must be at least 1000, --runs and --timeout positive")
    return args


def setup_django(variables: dict[str, str]) -> None:
    os.environ.update(variables)
    # WhiteNoise warns that STATIC_ROOT was never collected: the page needs none of it.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()

    from django.db.backends.signals import connection_created

    timeout_ms = variables["BENCH_STATEMENT_TIMEOUT_MS"]

    def limit(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [timeout_ms])

    connection_created.connect(limit, weak=False)


def reusable(rows: int) -> bool:
    if not database_exists():
        return False
    url = infra.psycopg_url(DATABASE_URL)
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            count = conn.execute("SELECT count(*) FROM surveys_response").fetchone()[0]
    except psycopg.Error:
        return False
    return count == rows


def day_start(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    infra.install_signal_handlers()
    command = " ".join(
        [".venv/bin/python -m bench.reporting", *(sys.argv[1:] if argv is None else argv)]
    )
    started_all = time.perf_counter()
    variables = django_environment("bench-" + secrets.token_urlsafe(48), args.timeout)
    # The reports' period ends at midnight UTC (TIME_ZONE is UTC), so the page,
    # asked for the same days, selects exactly the same rows.
    now = datetime.now(UTC)
    end = day_start(now)
    start = end - timedelta(days=PERIOD_DAYS)
    data_start = end - timedelta(days=SPAN_DAYS)
    try:
        _check_name(DATABASE_NAME)
        generation = None
        if args.reuse and reusable(args.rows):
            log(f"Reusing {DATABASE_NAME} ({args.rows:,} responses); migrating ...")
            migrate(variables)
            started = time.perf_counter()
            vacuum_analyze()
            log(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
        else:
            log(f"Creating {DATABASE_NAME} and migrating ...")
            recreate_database()
            migrate(variables)
            log(f"Generating {args.rows:,} responses over {SPAN_DAYS} days ...")
            generation = generate(args.rows, now, data_start, timeout_s=900)
        setup_django(variables)
        source = report.source_digest()
        from django.contrib.auth import get_user_model
        from django.test import Client

        from followups.reporting import reports
        from surveys.models import Survey

        machine = machine_info()
        latest = latest_machine()
        data = data_summary()
        survey = Survey.objects.get(slug="relationship")
        selection = reports.Selection(survey, start, end)
        manager = get_user_model().objects.get(username=MANAGER_USERNAME)
        client = Client()
        client.force_login(manager)
        page_params = {
            "survey": survey.slug,
            "from": start.date().isoformat(),
            "to": (end - timedelta(days=1)).date().isoformat(),
        }
        figures = build_figures(selection, client, page_params, now)
        by_name = {figure.name: figure for figure in figures}
        log("Checking that every panel and its floor return the same numbers ...")
        check_same_results(figures)

        rounds = Rounds(figures)
        log(f"Warm-up round, then {args.runs} timed round(s) of {len(figures)} figures ...")
        rounds.warm_up()
        for index in range(args.runs):
            rounds.once()
            page = by_name["dashboard.page"]
            log(
                f"  round {index + 1}/{args.runs}: page {page.times_ms[-1]:.1f} ms, its floor "
                f"{page_floor_ms(figures)[-1]:.1f} ms, other processes "
                f"{rounds.other_cpu[-1]:.0f}% of the CPU"
            )
        log("Counting queries and explaining them ...")
        count_queries(figures)
        explain_all(figures)
        nps_plan = by_name["orm.nps_summary"].plans[0]
        floor_plan = by_name[FLOOR].plans[0]
        for plan in (nps_plan, floor_plan):
            plan["uses_report_index"] = bool(re.search(r"\bresponse_report\b(?!_)", plan["text"]))
            plan["index_only"] = "Index Only Scan using response_report " in plan["text"]
        source_changed = report.source_digest() != source

        for compared in comparisons(figures):
            log(figure_line(compared))
        log(
            f"orm.nps_summary {'uses' if nps_plan['uses_report_index'] else 'does NOT use'} "
            f"response_report{' (index-only scan)' if nps_plan['index_only'] else ''}; "
            f"the page ran {len(by_name['dashboard.page'].queries)} queries."
        )
        if source_changed:
            log("WARNING: the project's source changed during this run; re-run.")
        RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_PATH.write_text(
            render(
                command=command,
                machine=machine,
                args=args,
                selection=selection,
                figures=figures,
                other_cpu=rounds.other_cpu,
                data=data,
                generation=generation,
                source=source,
                source_changed=source_changed,
                nps_plan=nps_plan,
                floor_plan=floor_plan,
            )
        )
        result = headline(
            figures,
            rows=args.rows,
            runs=args.runs,
            selection=selection,
            other_cpu=rounds.other_cpu,
            source=source,
            source_changed=source_changed,
        )
    except infra.BenchError as exc:
        print(f"bench.reporting: FAILED: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench.reporting: interrupted.", file=sys.stderr)
        return 130
    log("")
    for figure in result.figures:
        log(figure.line())
    md_path, json_path = report.write([result], latest)
    written = (RESULTS_PATH, md_path, json_path)
    log(
        f"Wrote {', '.join(str(path.relative_to(infra.ROOT)) for path in written)} "
        f"({time.perf_counter() - started_all:.0f} s in all)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
