"""Twenty tills redeeming one code at the same moment, on PostgreSQL's real
row locks: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from followups.incentives.redemption import RedemptionRefused, grant_redeem
from followups.models import CaseEvent, GrantStatus, OfferGrant
from surveys.models import AuditEvent
from tests.factories import OfferGrantFactory
from tests.followups.cases import open_case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TILLS = 20


def race(code: str, orders: list[str]) -> tuple[list, list, list]:
    barrier = threading.Barrier(len(orders))
    won, refused, failures = [], [], []

    def till(order):
        try:
            barrier.wait()
            won.append((order, grant_redeem(code=code, order=order, actor="api:till", via="api")))
        except RedemptionRefused as exc:
            refused.append(exc)
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=till, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, refused, failures


def test_of_twenty_concurrent_redemptions_for_different_orders_exactly_one_wins():
    case = open_case()
    grant = OfferGrantFactory(response__customer=case.customer)

    won, refused, failures = race(grant.code, [f"SO-{n}" for n in range(TILLS)])

    assert failures == []
    [(order, redemption)] = won
    assert redemption.repeated is False
    assert len(refused) == TILLS - 1
    assert {exc.reason for exc in refused} == {GrantStatus.REDEEMED}
    stored = OfferGrant.objects.get()
    assert (stored.status, stored.redeemed_order) == (GrantStatus.REDEEMED, order)
    assert case.events.filter(kind=CaseEvent.Kind.REDEEMED).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.GRANT_REDEEMED).count() == 1


def test_twenty_concurrent_retries_of_one_order_redeem_once_and_all_succeed():
    grant = OfferGrantFactory()

    won, refused, failures = race(grant.code.lower(), ["SO-1"] * TILLS)

    assert (failures, refused) == ([], [])
    assert len(won) == TILLS
    assert sorted(r.repeated for _order, r in won) == [False] + [True] * (TILLS - 1)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.GRANT_REDEEMED).count() == 1
