"""The register's writes: a site's or group's rule (who may, what is checked, the history, one
success and one 409 for two editors, nothing written on denial), the rule in force (site over
group over default), warnings raised exactly once, the default report pack, the evidence files."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.customers.tests.factories import make_site
from kefu.notifications.models import OutboundMessage
from kefu.reports.selectors import Scope
from kefu.standards import selectors, services
from kefu.standards.models import Standard, StandardRule, StandardRuleEvent, StandardWarning

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _emails(cast):
    for key in ("supervisor", "manager", "director", "qa"):
        cast[key].email = f"{key}@example.com"
        cast[key].save(update_fields=["email"])


def at(month, day, hour, minute=0, year=2026):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


def in_force(scope, code="callback_sampling"):
    standard = Standard.objects.get(code=code)
    return selectors.rules_in_force(standards=[standard], scope=scope)[code]


def test_the_register_holds_the_fourteen_standards_with_the_seed_defaults():
    rows = {s.code: s for s in Standard.objects.all()}
    assert len(rows) == 14
    assert rows["callback_sampling"].parameters == {"sample_percent": 0.1, "onsite_percent": 0.3}
    assert rows["suggestion_box_daily"].parameters == {"collect_at": "15:00", "handover_minutes": 30,
                                                       "handled_by": "17:30"}
    assert rows["survey_twice_yearly"].parameters == {"per_year": 2, "plan_weeks": 4}
    assert str(rows["survey_twice_yearly"].target) == "2.0000"
    assert rows["qa_weekly"].warn_roles == ["supervisor", "qa"]


def test_a_site_rule_wins_over_its_group_and_is_recorded(cast, org):
    site = make_site(department=org["cs"])
    site_scope = Scope(site_id=site.pk)
    group_scope = Scope(department_id=org["company"].pk, department_path=org["company"].path)
    with time_machine.travel(at(3, 1, 10), tick=False):
        services.standard_rule_set(actor_user=cast["manager"], code="callback_sampling", scope=group_scope,
                                   parameters={"sample_percent": "0.2"}, target="0.9")
    rule = in_force(site_scope)
    assert (rule.origin, rule.parameters, str(rule.target)) == ("department", {"sample_percent": 0.2,
                                                                               "onsite_percent": 0.3}, "0.9000")
    with time_machine.travel(at(3, 2, 10), tick=False):
        services.standard_rule_set(actor_user=cast["manager"], code="callback_sampling", scope=site_scope,
                                   parameters={"sample_percent": "0.15", "onsite_percent": "0.5"}, target="1")
    rule = in_force(site_scope)
    assert (rule.origin, rule.parameters, rule.rule.version) == ("site", {"sample_percent": 0.15, "onsite_percent": 0.5}, 1)
    assert in_force(Scope()).origin == "default"
    events = list(StandardRuleEvent.objects.order_by("created_at").values_list("actor__username", "site_id",
                                                                              "department_id", "action"))
    assert events == [("manager", None, org["company"].pk, "set"), ("manager", site.pk, None, "set")]
    last = StandardRuleEvent.objects.order_by("created_at").last()
    assert last.data["before"]["parameters"] == {"sample_percent": 0.1, "onsite_percent": 0.3}
    assert last.data["after"] == {"parameters": {"sample_percent": 0.15, "onsite_percent": 0.5}, "target": "1"}
    # Reset: the group's rule applies again; the history keeps both.
    services.standard_rule_reset(actor_user=cast["manager"], code="callback_sampling", scope=site_scope, version=1)
    assert in_force(site_scope).origin == "department"
    assert StandardRuleEvent.objects.count() == 3


def test_two_editors_one_wins_one_gets_409(cast, org):
    site = make_site(department=org["cs"])
    scope = Scope(site_id=site.pk)
    services.standard_rule_set(actor_user=cast["manager"], code="qa_weekly", scope=scope,
                               parameters={"due_weekday": 4, "due_time": "12:00"}, target="1")
    services.standard_rule_set(actor_user=cast["manager"], code="qa_weekly", scope=scope,
                               parameters={"due_weekday": 3, "due_time": "18:00"}, target="1", version=1)
    with pytest.raises(Conflict):
        services.standard_rule_set(actor_user=cast["director"], code="qa_weekly", scope=scope,
                                   parameters={"due_weekday": 2, "due_time": "10:00"}, target="1", version=1)
    rule = StandardRule.objects.get()
    assert (rule.parameters, rule.version) == ({"due_weekday": 3, "due_time": "18:00"}, 2)
    assert StandardRuleEvent.objects.count() == 2


@pytest.mark.parametrize("parameters, target, field", [
    ({"sample_percent": "abc"}, "1", "parameters.sample_percent"),
    ({"sample_percent": "1.5"}, "1", "parameters.sample_percent"),
    ({"colour": "red"}, "1", "parameters.colour"),
    ({}, "2", "target"),
])
def test_bad_rules_name_the_field_and_write_nothing(cast, org, parameters, target, field):
    site = make_site(department=org["cs"])
    with pytest.raises(InvalidInput) as error:
        services.standard_rule_set(actor_user=cast["manager"], code="callback_sampling", scope=Scope(site_id=site.pk),
                                   parameters=parameters, target=target)
    assert field in error.value.fields
    assert not StandardRule.objects.exists() and not StandardRuleEvent.objects.exists()


def test_sourced_parameters_are_not_set_here(cast, org):
    site = make_site(department=org["cs"])
    with pytest.raises(InvalidInput) as error:
        services.standard_rule_set(actor_user=cast["manager"], code="complaint_closed_3d", scope=Scope(site_id=site.pk),
                                   parameters={"hours": 96}, target="1")
    assert list(error.value.fields) == ["parameters.hours"]


def test_only_managers_change_rules_and_only_where_they_see(cast, org, client):
    site = make_site(department=org["cs"])
    with pytest.raises(NotAllowed):
        services.standard_rule_set(actor_user=cast["supervisor"], code="qa_weekly", scope=Scope(site_id=site.pk),
                                   parameters={}, target="1")
    client.force_login(cast["manager"])
    other = Scope(department_id=org["other"].pk, department_path=org["other"].path)
    response = client.post(reverse("api-standard-rule", args=["qa_weekly"]),
                           {"department": org["other"].pk, "parameters": {}, "target": "1"}, content_type="application/json")
    assert response.status_code == 404  # the other company is outside the manager's visibility
    assert other.department_id
    response = client.post(reverse("api-standard-rule", args=["qa_weekly"]),
                           {"site": site.pk, "parameters": {"due_weekday": 3}, "target": "0.9"},
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["parameters"] == {"due_weekday": 3, "due_time": "12:00"}
    again = client.post(reverse("api-standard-rule", args=["qa_weekly"]),
                        {"site": site.pk, "parameters": {"due_weekday": 2}, "target": "0.9", "version": 7},
                        content_type="application/json")
    assert again.status_code == 409
    assert StandardRuleEvent.objects.count() == 1


def test_qa_warning_fires_once_after_friday_noon(cast, org):
    from kefu.quality.services import qa_sample_week
    from kefu.workorders.tests.factories import make_work_order

    with time_machine.travel(at(3, 9, 10), tick=False):
        make_work_order(actor=cast["agent"], received_at=at(3, 9, 10), contact_phone="13800138000")
        qa_sample_week(week_start=dt.date(2026, 3, 9), per_agent=1)
    with time_machine.travel(at(3, 13, 11, 59), tick=False):
        assert services.standards_warn() == []  # before the deadline
    with time_machine.travel(at(3, 13, 12, 35), tick=False):
        raised = services.standards_warn()
    with time_machine.travel(at(3, 13, 13, 35), tick=False):
        assert services.standards_warn() == []  # the same occurrence: not again
    assert sorted((w.role, w.key) for w in raised) == [
        ("qa", f"qa:2026-03-09:{org['front'].pk}:qa"), ("supervisor", f"qa:2026-03-09:{org['front'].pk}:supervisor")]
    assert StandardWarning.objects.count() == 2
    supervisor_mail = OutboundMessage.objects.filter(to_address=cast["supervisor"].email)
    assert cast["supervisor"].email and supervisor_mail.count() == 1
    # The supervisor sees it on the board as a dashboard item; the agent does not.
    from kefu.org.selectors import actor_for_user

    assert [w.key for w in selectors.warnings_for(actor=actor_for_user(cast["supervisor"]))] == [
        f"qa:2026-03-09:{org['front'].pk}:supervisor"]
    assert selectors.warnings_for(actor=actor_for_user(cast["agent"])) == []


def test_survey_warning_fires_once_four_weeks_before_due(cast, org):
    from kefu.surveys.tests.factories import make_campaign

    make_campaign(actor=cast["supervisor"], starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 31))
    # Next due 30 August 2026 (182 days); warned from 2 August when nothing is planned.
    with time_machine.travel(at(8, 1, 10), tick=False):
        assert services.standards_warn() == []
    with time_machine.travel(at(8, 2, 10), tick=False):
        raised = services.standards_warn()
    with time_machine.travel(at(8, 3, 10), tick=False):
        assert services.standards_warn() == []
    assert sorted(w.role for w in raised) == ["manager", "supervisor"]
    assert all(w.due_at.date() == dt.date(2026, 8, 30) for w in raised)


def test_report_warning_fires_once_when_not_generated_on_its_day(cast, settings, tmp_path):
    from kefu.reports import services as report_services

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(at(3, 1, 10), tick=False):
        report_services.report_schedule_create(actor_user=cast["manager"], name="投诉周报", report="complaint",
                                               frequency="weekly", recipients=["boss@example.com"])
    with time_machine.travel(at(3, 2, 11, 35), tick=False):
        assert services.standards_warn() == []  # the day's run may still come
    with time_machine.travel(at(3, 2, 12, 35), tick=False):
        raised = services.standards_warn()
    with time_machine.travel(at(3, 2, 13, 35), tick=False):
        assert services.standards_warn() == []
    assert sorted(w.role for w in raised) == ["manager", "supervisor"]
    # Generated on its day: no warning the next week.
    with time_machine.travel(at(3, 9, 9, 5), tick=False):
        report_services.report_schedules_run(base_url="http://kefu.test")
    with time_machine.travel(at(3, 9, 12, 35), tick=False):
        assert services.standards_warn() == []


def test_the_default_report_pack(cast):
    from kefu.reports.models import ReportSchedule

    created = services.report_pack_seed(owner=cast["manager"], fallback_recipient="desk@example.com")
    assert [(s.report, s.frequency) for s in created] == [
        ("complaint", "weekly"), ("inquiry", "weekly"), ("complaint", "monthly"), ("business_change", "monthly"),
        ("inquiry", "monthly"), ("service_analysis", "weekly"), ("service_analysis", "monthly"),
        ("service_analysis", "quarterly"), ("service_analysis", "annual")]
    annual = ReportSchedule.objects.get(frequency="annual")
    assert annual.recipients == [cast["director"].email]
    assert services.report_pack_seed(owner=cast["manager"]) == []  # kept as they are


def test_evidence_files(cast, client):
    from openpyxl import load_workbook

    from kefu.standards import exports

    rows = [{"code": "callback_all", "name": "=HYPERLINK(\"x\")", "rule": {}, "target": 1.0, "value": 0.5,
             "numerator": 1, "denominator": 2, "status": "missed", "unit": "rate", "definition": "d", "source": "s",
             "detail": "", "columns": ["Type"], "records": [{"label": "=1+1", "counted": True, "cells": ["repair"]}]}]
    workbook = load_workbook(io.BytesIO(exports.board_xlsx(rows=rows, title="t", subtitle="s")))
    summary = workbook.worksheets[0]
    assert summary["B4"].value == "=HYPERLINK(\"x\")" and summary["B4"].data_type == "s"
    assert workbook["callback_all"]["A4"].data_type == "s"
    assert exports.board_pdf(rows=rows, title="服务标准", subtitle="s").startswith(b"%PDF")
    client.force_login(cast["manager"])
    response = client.get(reverse("standards:export", args=["pdf"]), {"start": "2026-01-01", "end": "2026-03-31"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    response = client.get(reverse("standards:export", args=["xlsx"]), {"start": "2026-01-01", "end": "2026-03-31"})
    assert response.status_code == 200
    assert len(load_workbook(io.BytesIO(response.content)).worksheets) == 15


def test_demo_data_is_idempotent(cast):
    from kefu.standards.demo import create_demo_standards

    assert create_demo_standards() == "standards: 9 report schedules, 0 warnings"
    assert create_demo_standards() == "standards: 0 report schedules, 0 warnings"
