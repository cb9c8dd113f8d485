"""The compat API's own docs page: public, linked from the OpenAPI docs, and
naming every endpoint the API serves."""

from __future__ import annotations

import re

import pytest

from followups.delighted.urls import v1

pytestmark = pytest.mark.django_db


def test_docs_page_is_public_and_names_every_endpoint(client):
    page = client.get("/api/delighted/")

    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", "", page.content.decode())
    for route in {str(entry.pattern) for entry in v1 if not str(entry.pattern).endswith(".json")}:
        # Every fixed part of the path: "people", "survey_requests", "pending" ...
        for part in (part for part in route.split("/") if not part.startswith("<")):
            assert part in text, route


def test_openapi_description_points_at_the_docs_page(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "/api/delighted/" in schema["info"]["description"]
