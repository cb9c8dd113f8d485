"""The inbound SMS list as staff read it: named in the plural for many texts,
and a long text cut with an ellipsis that says it goes on."""

import pytest

from followups.models import InboundSms
from tests.factories import manager

pytestmark = pytest.mark.django_db

LONG = "The courier left the parcel in the rain and nobody answered the phone " * 3


def test_the_list_names_many_texts_in_the_plural_and_cuts_a_long_one_with_an_ellipsis(client):
    for number, body in enumerate([LONG, "7"]):
        InboundSms.objects.create(
            provider=InboundSms.Provider.TWILIO,
            provider_message_id=f"SM{number}",
            sender="+48601234567",
            body=body,
            outcome=InboundSms.Outcome.IGNORED,
        )
    client.force_login(manager("boss"))

    html = client.get("/admin/followups/inboundsms/").text

    # Its own plural: one msgid for both made Polish read "17 przychodzący SMS".
    assert InboundSms._meta.verbose_name_plural != InboundSms._meta.verbose_name
    assert "2 inbound SMS messages" in html
    assert f"{LONG[:79]}…" in html
