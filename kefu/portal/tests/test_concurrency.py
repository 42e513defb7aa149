"""A customer's cancel and a staff accept at the same moment (real threads and commits,
PostgreSQL): exactly one wins, the other gets a clear 409; never a 500 or a lost update."""

import pytest

from kefu.core.errors import Conflict
from kefu.portal import services
from kefu.portal.tests.factories import make_resident, sign_in
from kefu.workorders.services import work_order_transition
from kefu.workorders.tests.factories import make_work_order
from kefu.workorders.tests.test_concurrency import _postgres, _run


@pytest.fixture(autouse=True)
def _codes_stay_in_the_outbox(monkeypatch):
    """Committed transactions would send the code SMS (and mask it): hold delivery."""
    monkeypatch.setattr("kefu.notifications.services._enqueue_delivery", lambda: None)


@_postgres
@pytest.mark.parametrize("round_", range(3))
def test_cancel_races_a_staff_accept_one_wins(cast, round_):
    customer, unit = make_resident(phone=f"1396666000{round_}")
    account, _key = sign_in(f"1396666000{round_}")
    order = make_work_order(actor=cast["agent"], customer=customer, asset=unit)
    seen = order.version
    results = dict(_run([
        ("cancel", lambda: services.portal_cancel(account=account, order=order.pk, expected_version=seen)),
        ("accept", lambda: work_order_transition(work_order=order.pk, action="accept", actor_user=cast["agent"],
                                                 expected_version=seen)),
    ]))
    winners = [label for label, result in results.items() if not isinstance(result, Exception)]
    losers = [result for result in results.values() if isinstance(result, Exception)]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], Conflict) and losers[0].status_code == 409
    order.refresh_from_db()
    assert order.status == {"cancel": "cancelled", "accept": "accepted"}[winners[0]]
    assert order.version == seen + 1
    assert order.events.filter(action__in=["cancel", "accept"]).count() == 1
