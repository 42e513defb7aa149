"""The read-routing rule (kefu.core.dbrouter): reports and exports read the replica while it is
fresh; everything else, and every write, uses the primary.

On PostgreSQL the test settings define "replica" as a mirror of the test database (a second
connection to it), so which connection served a read is visible in the queries each one ran. The staleness bound is
checked against a real streaming replica in test_replica_streaming.py (PostgreSQL).
"""

import datetime as dt
import time

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.core import dbrouter
from kefu.core.dbrouter import ReplicaRouter, read_alias, replica_reads
from kefu.reports.models import GeneratedReport
from kefu.workorders.models import WorkOrder
from kefu.workorders.tests.factories import make_work_order

# Without the alias (SQLite) the database tests skip in `replica_on`.
BOTH = ["default", "replica"] if "replica" in django_settings.DATABASES else ["default"]


@pytest.fixture(autouse=True)
def _fresh_probe():
    dbrouter._probe.reset()
    yield
    dbrouter._probe.reset()


@pytest.fixture
def replica_on(settings):
    if "replica" not in settings.DATABASES:
        pytest.skip("a read replica is a PostgreSQL deployment (config/settings_test.py)")
    settings.KEFU_READ_REPLICA = "replica"
    settings.KEFU_REPLICA_MAX_LAG_SECONDS = 30
    settings.KEFU_REPLICA_CHECK_SECONDS = 5
    settings.KEFU_REPLICA_RETRY_SECONDS = 30
    return settings


def test_without_a_replica_every_read_uses_the_primary(settings):
    settings.KEFU_READ_REPLICA = None
    with replica_reads() as alias:
        assert alias == "default"
        assert ReplicaRouter().db_for_read(WorkOrder) == "default"


@pytest.mark.django_db(transaction=True, databases=BOTH)  # a mirror is its own connection: commit
def test_the_rule_inside_and_outside_replica_reads(replica_on):
    router = ReplicaRouter()
    assert router.db_for_read(WorkOrder) == "default"
    with replica_reads() as alias:
        assert alias == "replica"
        assert router.db_for_read(WorkOrder) == "replica"
        assert router.db_for_write(WorkOrder) == "default"  # writes never go to the replica
        with replica_reads() as inner:  # nested blocks keep the outer choice
            assert inner == "replica"
    assert router.db_for_read(WorkOrder) == "default"
    assert router.allow_migrate("default", "workorders") is True
    assert router.allow_migrate("replica", "workorders") is False


def test_staleness_bound_ages_with_the_clock(settings, monkeypatch):
    """The decision from a measured lag; the measurement itself is the real SQL elsewhere."""
    monkeypatch.setattr(dbrouter, "configured_replica", lambda: "replica")  # no connection is made here
    settings.KEFU_REPLICA_MAX_LAG_SECONDS = 30
    settings.KEFU_REPLICA_CHECK_SECONDS = 5
    settings.KEFU_REPLICA_RETRY_SECONDS = 30
    replica_on = settings
    lags = []
    monkeypatch.setattr(dbrouter, "replica_lag", lambda alias: lags.pop(0))
    lags[:] = [0.0]
    assert read_alias() == "replica"
    assert lags == []  # probed once …
    assert read_alias() == "replica"  # … and reused within KEFU_REPLICA_CHECK_SECONDS

    dbrouter._probe.reset()
    lags[:] = [30.5]
    assert read_alias() == "default"  # beyond the bound

    # 25 s behind, measured 6 s ago: replay may have stopped since, so it may be 31 s behind now.
    dbrouter._probe.measured["replica"] = (time.monotonic() - 6, 25.0)
    replica_on.KEFU_REPLICA_CHECK_SECONDS = 60
    assert read_alias() == "default"
    dbrouter._probe.measured["replica"] = (time.monotonic() - 2, 25.0)
    assert read_alias() == "replica"

    # Unreachable (None): the primary, and no new probe before KEFU_REPLICA_RETRY_SECONDS.
    dbrouter._probe.reset()
    lags[:] = [None]
    assert read_alias() == "default"
    lags[:] = [0.0]
    assert read_alias() == "default" and lags == [0.0]
    dbrouter._probe.measured["replica"] = (time.monotonic() - 31, None)
    assert read_alias() == "replica" and lags == []


def _query_counts(fn):
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as replica:
        result = fn()
    return result, len(primary.captured_queries), len(replica.captured_queries)


MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


def _orders(cast):
    received = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
    for title in ("卫生间漏水", "电梯异响", "道闸不抬杆"):
        make_work_order(actor=cast["agent"], title=title, received_at=received)


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_report_pages_and_exports_read_the_replica(replica_on, cast, client):
    _orders(cast)
    client.force_login(cast["manager"])

    response, primary, replica = _query_counts(lambda: client.get(reverse("reports:service_analysis"), MARCH))
    assert response.status_code == 200
    assert response.context["report"]["total"] == 3
    assert replica >= 5  # the report's figures (~15 queries) came from the replica …
    report_queries = replica - 1  # one was the lag probe (LAG_SQL)

    replica_on.KEFU_READ_REPLICA = None  # … and are the primary's figures, read there without one
    response, primary_only, replica_none = _query_counts(
        lambda: client.get(reverse("reports:service_analysis"), MARCH))
    assert response.context["report"]["total"] == 3 and replica_none == 0
    assert primary_only - primary == report_queries  # the same queries moved from one to the other
    replica_on.KEFU_READ_REPLICA = "replica"

    response, _, replica = _query_counts(lambda: client.get(reverse("reports:dashboard")))
    assert response.status_code == 200 and replica > 0

    # A report export reads the replica and keeps its file in the primary's history.
    url = reverse("reports:export", args=["service_analysis", "xlsx"])
    response, primary, replica = _query_counts(lambda: client.get(url, MARCH))
    assert response.status_code == 200 and replica >= 5
    assert GeneratedReport.objects.using("default").filter(report="service_analysis").count() == 1

    # A list export (exchange) too.
    response, _, replica = _query_counts(lambda: client.get(reverse("exchange:export", args=["work-orders"])))
    assert response.status_code == 200 and replica > 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_work_pages_and_writes_never_touch_the_replica(replica_on, cast, client, api):
    _orders(cast)
    client.force_login(cast["manager"])
    response, primary, replica = _query_counts(lambda: client.get(reverse("workorders:queue")))
    assert response.status_code == 200 and primary > 0 and replica == 0
    order = WorkOrder.objects.order_by("id").first()
    response, primary, replica = _query_counts(lambda: client.get(reverse("workorders:detail", args=[order.pk])))
    assert response.status_code == 200 and replica == 0
    response, primary, replica = _query_counts(lambda: api(cast["agent"]).post(
        f"/api/v1/work-orders/{order.pk}/actions/accept/", {"version": order.version}, format="json"))
    assert response.status_code == 200, response.content
    assert replica == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_an_unreachable_replica_sends_reports_to_the_primary(replica_on, cast, client):
    from kefu.core.tests.pgcluster import free_port

    _orders(cast)
    client.force_login(cast["manager"])
    replica = connections["replica"]
    saved = dict(replica.settings_dict)
    replica.close()
    replica.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))  # nothing listens there
    try:
        started = time.monotonic()
        response = client.get(reverse("reports:service_analysis"), MARCH)
        assert response.status_code == 200
        assert response.context["report"]["total"] == 3
        assert time.monotonic() - started < 10
        assert dbrouter._probe.measured["replica"][1] is None  # remembered: not retried per report
    finally:
        replica.close()
        replica.settings_dict.clear()
        replica.settings_dict.update(saved)
