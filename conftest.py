"""Shared test cast (Healthchecks style): one small organisation with staff in every role.

    group → company (CO) → customer service dept (CS) → front team (FRONT), steward team (STW)
                         → engineering dept (ENG) → repair team (MEP), vendor team (VEND)
          → other company (OTHER) → its team (OTEAM)
"""

import importlib

import pytest
from django.apps import apps as global_apps
from rest_framework.test import APIClient

from kefu.org.tests.factories import make_department, make_staff

# Data migrations whose rows the tests rely on. A transactional test (transaction=True,
# live_server) ends with a flush that empties every table, and with --reuse-db the next run
# would start empty; re-applying the seeds (all idempotent) keeps the reference data there.
SEED_MIGRATIONS = [
    "kefu.org.migrations.0002_seed_roles",
    "kefu.customers.migrations.0003_seed_document_types",
    "kefu.workorders.migrations.0002_seed_categories",
    "kefu.sla.migrations.0002_seed_holidays_and_calendars",
    "kefu.sla.migrations.0004_seed_policies",
    "kefu.sla.migrations.0008_seed_callback_targets",
    "kefu.callbacks.migrations.0002_seed_rules",
    "kefu.surveys.migrations.0002_seed_service_items",
    "kefu.quality.migrations.0002_seed_form",
    "kefu.kpi.migrations.0002_seed_scorecards",
]


def ensure_seed_data():
    from kefu.org.models import Role

    if Role.objects.exists():
        return
    for name in SEED_MIGRATIONS:
        importlib.import_module(name).seed(global_apps, None)
    from kefu.org.permissions import grant_administrator_permissions

    grant_administrator_permissions()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_seed_data()


@pytest.fixture(autouse=True)
def _fresh_holiday_cache():
    # Each process keeps the holiday table for a while; tests rewrite it freely.
    from kefu.sla.selectors import holidays_changed

    holidays_changed()
    yield


@pytest.fixture(autouse=True)
def _seed_data_for_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        ensure_seed_data()


@pytest.fixture
def org(db):
    g = make_department(kind="group", code="G", name="集团")
    co = make_department(kind="company", parent=g, code="CO", name="项目")
    cs = make_department(kind="department", parent=co, code="CS", name="客服中心")
    front = make_department(kind="team", parent=cs, code="FRONT", name="前台组")
    stw = make_department(kind="team", parent=cs, code="STW", name="管家组")
    eng = make_department(kind="department", parent=co, code="ENG", name="工程部")
    mep = make_department(kind="team", parent=eng, code="MEP", name="水电组")
    vend = make_department(kind="team", parent=eng, code="VEND", name="外包电梯")
    other = make_department(kind="company", parent=g, code="OTHER", name="其他项目")
    oteam = make_department(kind="team", parent=other, code="OTEAM", name="其他组")
    return {"group": g, "company": co, "cs": cs, "front": front, "stw": stw, "eng": eng, "mep": mep,
            "vend": vend, "other": other, "oteam": oteam}


@pytest.fixture
def cast(org):
    """Staff users keyed by role (plus outsiders in another company)."""
    s = {
        "agent": make_staff(role="agent", department=org["front"], username="agent"),
        "steward": make_staff(role="steward", department=org["stw"], username="steward"),
        "supervisor": make_staff(role="supervisor", department=org["cs"], username="supervisor"),
        "manager": make_staff(role="manager", department=org["company"], username="manager"),
        "director": make_staff(role="director", department=org["group"], username="director"),
        "technician": make_staff(role="technician", department=org["mep"], username="technician"),
        "qa": make_staff(role="qa", department=org["cs"], username="qa"),
        "clerk": make_staff(role="clerk", department=org["cs"], username="clerk"),
        "vendor": make_staff(role="vendor", department=org["vend"], username="vendor"),
        "administrator": make_staff(role="administrator", department=org["group"], username="administrator"),
        "other_steward": make_staff(role="steward", department=org["oteam"], username="other_steward"),
        "other_technician": make_staff(role="technician", department=org["oteam"], username="other_tech"),
    }
    return {k: v.user for k, v in s.items()}


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def api():
    """An API client factory: api(user) → client authenticated as that user (or anonymous)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make
