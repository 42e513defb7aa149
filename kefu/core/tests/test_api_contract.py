"""The API keeps its published contract (issue #15): schemathesis generates requests from the
OpenAPI schema (drf-spectacular's, as served at /api/schema/) for every operation and checks the
answers — no server error, documented status codes and content types, bodies that match the
schema.

Bounded and derandomized (KEFU_CONTRACT_EXAMPLES examples per operation, default 5). It is not
part of `make test` yet: the first runs still find schema violations (see docs/security.md);
`make api-contract` runs it.
"""

import json
import os

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from config.wsgi import application
from kefu.tokens.services import token_issue

schemathesis = pytest.importorskip("schemathesis")

pytestmark = [pytest.mark.contract, pytest.mark.django_db]
ENABLED = bool(os.environ.get("KEFU_API_CONTRACT"))


def _schema():
    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = application
    schema.location = "/api/schema/"
    return schema


EXAMPLES = int(os.environ.get("KEFU_CONTRACT_EXAMPLES", "5"))


@pytest.fixture
def supervisor_key(cast):
    from kefu.workorders.tests.factories import advance, make_work_order

    for _ in range(3):
        make_work_order(actor=cast["agent"])
    advance(make_work_order(actor=cast["agent"]), cast["supervisor"], "accept")
    return token_issue(user=cast["supervisor"])[1]


if ENABLED:  # building the schema costs seconds: only when asked
    schema = _schema()

    @schema.parametrize()
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def test_api_contract(case, supervisor_key):
        case.call_and_validate(headers={"Authorization": f"Token {supervisor_key}"})
else:
    @pytest.mark.skip(reason="make api-contract (KEFU_API_CONTRACT=1)")
    def test_api_contract():
        pass
