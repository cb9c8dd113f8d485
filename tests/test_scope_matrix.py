"""Every route under /api/, from the URL resolver: each view declares the
scope each of its methods needs; a key lacking it (whatever else it holds) is
refused and changes nothing; a key holding it is let through. A staff member
signed in to the admin, of every role, is let through exactly when the read
scope's and the view's declared permissions say so, and a refusal changes
nothing.

A new API view without ``required_scopes`` fails here, named. A new route
whose path this file cannot fill in fails too: add a sample for it below.
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from followups.models import CaseEvent, FollowUpCase, OfferGrant, OutboundMessage
from surveys.api_access import ANY_KEY, PUBLIC, SESSION_SCOPES, permissions_needed, scope_needed
from surveys.api_keys import api_key_create
from surveys.models import ApiScope, AuditEvent, Customer, Invitation, Response, Survey
from tests.factories import (
    InvitationFactory,
    OfferGrantFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
    department,
    manager,
)
from tests.followups.cases import open_case
from tests.surveys.api.conftest import client_with
from tests.test_admin_permissions import ROLES, login, make_user

pytestmark = pytest.mark.django_db

SCOPES = list(ApiScope.values)
# Paths a pattern cannot be turned into by filling in its parameters.
SAMPLES = {
    r"^(?:responses|customers|surveys)/(?:.*/)?$": "responses/no/such/thing/",
    r"^invitations/(?:.*/)?$": "invitations/no/such/thing/",
}
WATCHED = (
    Customer,
    Response,
    Survey,
    Invitation,
    FollowUpCase,
    CaseEvent,
    OutboundMessage,
    OfferGrant,
)


def api_routes(resolver=None, prefix=""):
    """(path pattern, URLPattern) for every route whose path starts with api/."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if pattern.lstrip("^").startswith("api/") or "api/".startswith(pattern.lstrip("^")):
                yield from api_routes(entry, pattern)
        elif isinstance(entry, URLPattern) and pattern.lstrip("^").startswith("api/"):
            yield pattern, entry


def concrete_path(pattern: str, rows: dict) -> str:
    for regex, sample in SAMPLES.items():
        pattern = pattern.replace(regex.lstrip("^"), sample).replace(regex, sample)
    resource = re.sub(r"^\^?api/v1/\^?", "", pattern).split("/")[0]
    value = str(rows.get(resource, "checkout"))
    path = re.sub(r"\(\?P<\w+>[^)]*\)", value, pattern)
    path = re.sub(r"<(?:\w+:)?\w+>", value, path)
    return "/" + path.replace("^", "").replace("$", "")


def methods_of(entry: URLPattern) -> list[str]:
    view = entry.callback
    actions = getattr(view, "actions", None)
    if actions:
        return sorted(method.upper() for method in actions)
    cls = view.cls
    return sorted(
        m.upper() for m in cls.http_method_names if m not in ("options", "head") and hasattr(cls, m)
    )


def view_of(entry: URLPattern):
    """The view as a request meets it: a ViewSet action's own settings (such
    as an export's required_permissions) come from the route's initkwargs."""
    return entry.callback.cls(**getattr(entry.callback, "initkwargs", {}))


def declared_routes(rows):
    """(method, path, view) for every declared method of every API route."""
    for pattern, entry in api_routes():
        path = concrete_path(pattern, rows)
        assert resolve(path).func is entry.callback, f"add a sample path for {pattern!r}"
        for method in methods_of(entry):
            yield method, path, entry


def fingerprint():
    return [list(model.objects.order_by("pk").values()) for model in WATCHED] + [
        AuditEvent.objects.count()
    ]


@pytest.fixture
def rows(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    rates.update(anon="100000/min", ingest="100000/min", read="100000/min", user="100000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    survey = SurveyFactory(slug="checkout")
    response = ResponseFactory(survey=survey)
    case = open_case()
    invitation = InvitationFactory(survey=survey, sent_at=None, scheduled_at=timezone.now())
    return {
        "responses": response.pk,
        "customers": response.customer_id,
        "cases": case.pk,
        "invitations": invitation.pk,
        "grants": OfferGrantFactory(response__survey=survey).code,
    }


def test_every_api_route_declares_its_scopes_and_is_refused_without_them(rows):
    # The keys act as a superuser, so that only the scopes decide (the cases
    # API also applies the user's own access, which its tests cover).
    user = UserFactory(username="matrix", is_superuser=True)
    # No scope, each scope alone, every scope but one, and all: a scope is
    # a member test, so a key lacking it is refused whatever else it holds iff
    # the largest such key (all but that one) is. (Every combination would be
    # 2**len(SCOPES) keys, and each route tried with half of them.)
    combinations = [
        (),
        *itertools.combinations(SCOPES, 1),
        *itertools.combinations(SCOPES, len(SCOPES) - 1),
        tuple(SCOPES),
    ]
    keys = {}
    for combination in combinations:
        issued = api_key_create(user=user, name="matrix", scopes=combination, via="test")
        keys[frozenset(combination)] = client_with(issued.secret)
    anonymous = client_with(None)

    undeclared, wrong = [], []
    checked = 0
    for method, path, entry in declared_routes(rows):
        view_name = f"{entry.callback.cls.__module__}.{entry.callback.cls.__name__}"
        # Through the permission class's own rule (HEAD needs GET's scope):
        # DRF adds "head" to a ViewSet's shared actions on its first GET.
        scope = scope_needed(view_of(entry), method)
        if scope is None:
            undeclared.append(f"{method} {path} ({view_name})")
            continue

        def send(client, method=method, path=path):
            return client.generic(method, path, "{}", content_type="application/json")

        if scope == PUBLIC:
            if send(anonymous).status_code in (401, 403):
                wrong.append(f"{method} {path}: public, but refused without a key")
            continue
        before = fingerprint()
        if send(anonymous).status_code != 401:
            wrong.append(f"{method} {path}: not 401 without a key")
        for held, client in keys.items():
            if scope == ANY_KEY or scope in held:
                continue
            status = send(client).status_code
            if status != 403:
                wrong.append(f"{method} {path} with {sorted(held)}: {status}, not 403")
                break
        if fingerprint() != before:
            wrong.append(f"{method} {path}: a refused request changed the database")
        allowed = keys[frozenset() if scope == ANY_KEY else frozenset([scope])]
        status = send(allowed).status_code
        if status in (401, 403):
            wrong.append(f"{method} {path} with only {scope!r}: refused ({status})")
        checked += 1

    assert undeclared == [], "API views without required_scopes for these methods"
    assert wrong == []
    assert checked >= 20  # the walk found the API, not nothing


def test_signed_in_staff_of_every_role_get_exactly_what_the_declarations_allow(rows):
    users = {role: make_user(role) for role in ROLES}
    wrong, checked = [], 0
    for method, path, entry in declared_routes(rows):
        view = view_of(entry)
        scope = scope_needed(view, method)
        if path.endswith("/export/") and not any(
            perm.split(".")[-1].startswith("export_") for perm in permissions_needed(view, method)
        ):
            # As in the admin: whoever may read rows may not export them all.
            wrong.append(f"{method} {path}: an export without an export permission")
        for role, user in users.items():
            if scope == PUBLIC:
                allowed = True
            elif user is None:
                allowed = False
            elif scope == ANY_KEY:
                allowed = True
            else:
                # Writes always take a key: only the read scopes have a session rule.
                needed = SESSION_SCOPES.get(scope)
                allowed = needed is not None and user.has_perms(
                    (*needed, *permissions_needed(view, method))
                )
            client = login(APIClient(), user)
            before = fingerprint()
            reply = client.generic(method, path, "{}", content_type="application/json")
            refused = reply.status_code in (401, 403)
            if refused == allowed:
                wrong.append(f"{role} {method} {path}: {reply.status_code}, allowed={allowed}")
            if refused and fingerprint() != before:
                wrong.append(f"{role} {method} {path}: a refused request changed the database")
            checked += 1

    assert wrong == []
    assert checked >= 20 * len(ROLES)


def test_a_view_without_required_scopes_is_refused():
    from rest_framework.test import APIRequestFactory, force_authenticate
    from rest_framework.views import APIView

    class Undeclared(APIView):
        def get(self, request):
            raise AssertionError("must not run")

    # Authenticated directly (no key, so no request actor to bind outside a
    # request's middleware), as a superuser: only the missing declaration refuses.
    request = APIRequestFactory().get("/api/v1/new/")
    force_authenticate(request, user=UserFactory(username="root", is_superuser=True))

    reply = Undeclared.as_view()(request)

    assert reply.status_code == 403
    assert "declares no scope" in str(reply.data["error"]["message"])


HIDDEN = "marker-of-another-department"


def test_no_read_route_shows_another_departments_answers_or_cases(rows):
    """Every GET route, walked from the resolver, with a key holding every
    read scope whose user works for another department: the answer, the case
    and the invitation of the hidden department appear nowhere (customers and
    codes at checkout are shared by every department)."""
    hidden, mine = department("Hidden"), department("Mine")
    case = FollowUpCase.objects.get(pk=rows["cases"])
    Survey.objects.filter(pk__in=[case.survey_id]).update(department=hidden)
    Survey.objects.filter(slug="checkout").update(department=hidden)
    Response.objects.filter(pk__in=[rows["responses"], case.response_id]).update(comment=HIDDEN)
    Survey.objects.filter(slug="checkout").update(name=HIDDEN)
    reader = manager("reader")
    mine.members.add(reader)
    reads = [ApiScope.REPORTS_READ, ApiScope.CASES_READ, ApiScope.INVITATIONS_READ]
    client = client_with(api_key_create(user=reader, name="r", scopes=reads, via="test").secret)

    leaks, checked = [], 0
    for method, path, entry in declared_routes(rows):
        scope = scope_needed(view_of(entry), method)
        if method != "GET" or scope not in reads:
            continue
        reply = client.get(path, {"trend": "checkout"})
        body = b"".join(reply.streaming_content) if reply.streaming else reply.content
        if HIDDEN.encode() in body:
            leaks.append(path)
        checked += 1

    assert leaks == []
    assert checked >= 8  # the walk found the read routes, not nothing


def survey_routes() -> list[tuple[str, str, str]]:
    """(method, path template, how) for every API operation that names a
    survey: by a ``{slug}`` in its path ("path"), a required ``?survey=``
    ("required") or an optional ``?survey=`` filter ("filter"); read from the
    API's own OpenAPI schema, which is generated from the URL resolver."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if (parameter["name"], parameter["in"]) == ("slug", "path"):
                    found.append((method.upper(), path, "path"))
                elif (parameter["name"], parameter["in"]) == ("survey", "query"):
                    how = "required" if parameter.get("required") else "filter"
                    found.append((method.upper(), path, how))
    return found


@pytest.fixture
def hidden_surveys(rows, settings):
    """In a department the reader does not work for: the customer survey of
    the rows with driver answers and computed themes, and an employee survey
    with its answers."""
    from followups.insights import themes
    from surveys.models import DriverChoice
    from tests.enps import enps_survey_answered
    from tests.followups.insights import WEEK_1, answers_in, language

    settings.NPS_THEMES_ENABLED = True
    hidden = department("Hidden")
    customer = Survey.objects.get(slug="checkout")
    customer.driver_question = HIDDEN
    customer.department = hidden
    customer.save(update_fields=["driver_question", "department"])
    choice = DriverChoice.objects.create(survey=customer, key="price", label=HIDDEN)
    answers_in(customer, WEEK_1, language("en"))
    Response.objects.filter(survey=customer).update(driver=choice)
    assert themes.themes_compute(survey=customer, period=WEEK_1)
    employee = enps_survey_answered(slug="staff-pulse")
    Survey.objects.filter(pk=employee.pk).update(department=hidden, name=HIDDEN)
    return [customer.slug, employee.slug]


def test_every_route_naming_a_survey_answers_404_for_another_departments_survey(
    rows, hidden_surveys
):
    """Every operation with a survey slug in its path or a required ?survey=
    is a 404 for a survey of another department (and not for a reader of every
    department: the 404 is the department's); an optional ?survey= filter
    lists none of its rows."""
    reader = manager("reader")
    department("Mine", reader)
    everyone = UserFactory(username="everyone", is_superuser=True)
    reads = [scope for scope in SCOPES if scope.endswith(":read")]
    clients = {
        user: client_with(api_key_create(user=user, name="k", scopes=reads, via="test").secret)
        for user in (reader, everyone)
    }
    routes = survey_routes()
    assert {how for _, _, how in routes} == {"path", "required", "filter"}

    wrong, reached = [], set()
    for method, template, how in routes:
        for slug in hidden_surveys:
            path = template.replace("{slug}", slug)
            params = {} if how == "path" else {"survey": slug}
            replies = {
                user: client.generic(method, path + ("?survey=" + slug if params else ""))
                for user, client in clients.items()
            }
            body = replies[reader]
            content = b"".join(body.streaming_content) if body.streaming else body.content
            if how == "filter":
                if body.status_code != 200 or HIDDEN.encode() in content:
                    wrong.append(f"{method} {path}?survey={slug}: {body.status_code}, or shown")
                continue
            if body.status_code != 404:
                wrong.append(f"{method} {path} {params}: {body.status_code}, not 404")
            if replies[everyone].status_code == 200:
                reached.add(template)
    assert wrong == []
    # Each route answers a reader of every department for one of the surveys:
    # the reader's 404 was the department's, not a route that never answers.
    assert reached == {template for _, template, how in routes if how != "filter"}
