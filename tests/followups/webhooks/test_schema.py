"""The OpenAPI 3.1 schema documents every event of the registry as a webhook."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followups.webhooks.events import EVENT_TYPES

pytestmark = pytest.mark.django_db


def test_the_schema_documents_each_event_with_its_payload(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    assert schema["openapi"].startswith("3.1")
    assert set(schema["webhooks"]) == set(EVENT_TYPES)
    post = schema["webhooks"]["case.opened"]["post"]
    assert "webhook-signature" in post["description"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(component["properties"]) == {"type", "timestamp", "data", "version"}
