"""Query budget of one intake through the API (issue #14): POST /api/v1/work-orders/ with token
auth, the answer included. Measured warm: the first request fills the per-process caches (hooks
imported, configuration read), the second is counted — that is what a running worker pays.

The counts are exact, per database: a new statement on the intake path must be a decision, made
here with its reason, not a drift."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kefu.tokens.services import token_issue
from kefu.workorders.models import WorkOrder
from kefu.workorders.tests.factories import category_for

URL = "/api/v1/work-orders/"

# Statements of one warm API intake: token (with the user, staff profile, role and department:
# the whole actor); the category named in the body; SAVEPOINT; INSERT order; INSERT event; SLA
# policy; INSERT clocks (one statement); INSERT…SELECT facts; the
# search row (built from the new order, no read); the number (UPDATE … RETURNING); UPDATE number and due time;
# RELEASE; the answer built from the written order (no re-read), and the
# masking permission check (user's and groups' permissions). PostgreSQL adds the facts' advisory lock.
INTAKE_STATEMENTS = {"sqlite": 14, "postgresql": 15}


def _intake(cast):
    _token, key = token_issue(user=cast["agent"])
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    category = category_for("repair").pk
    body = {"type": "repair", "channel": "phone", "category": category, "title": "客厅灯不亮",
            "description": "客户来电", "contact_phone": "13800138000"}
    assert client.post(URL, {**body, "title": "热身"}, format="json").status_code == 201  # warms the caches
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return response, captured.captured_queries


def test_one_api_intake_statements(db, cast):
    response, queries = _intake(cast)
    assert len(queries) == INTAKE_STATEMENTS[connection.vendor], "\n".join(q["sql"][:200] for q in queries)
    order = WorkOrder.objects.get(title="客厅灯不亮")
    body = response.json()
    # The answer is the order as written: number, due time, the phone (agents see it in full).
    assert body["id"] == order.pk
    assert body["number"] == order.number
    assert body["number"].endswith("-0002")
    assert body["sla_due_at"] is not None
    assert order.sla_due_at is not None
    assert body["contact_phone"] == "13800138000"
    assert body["first_contact_owner"] == {"id": cast["agent"].pk, "name": cast["agent"].staff.display_name}
    assert body["category_code"] == order.category.code
    assert body["status"] == "new"
    assert body["version"] == order.version
