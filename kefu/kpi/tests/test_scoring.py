"""The scoring rules and the seeded scorecards, exactly as DOMAIN.md quotes them."""

from decimal import Decimal

import pytest

from kefu.kpi import scoring
from kefu.kpi.models import Indicator, ReviewForm, ScorecardTemplate

D = Decimal


@pytest.mark.parametrize("rule, value, floor, target, expected", [
    ("linear", "92", "80", "95", "80.00"),
    ("linear", "80", "80", "95", "0.00"),
    ("linear", "70", "80", "95", "0.00"),
    ("linear", "95", "80", "95", "100.00"),
    ("linear", "99", "80", "95", "100.00"),
    ("linear", "90", "80", "95", "66.67"),
    ("threshold", "85", None, "85", "100.00"),
    ("threshold", "84.99", None, "85", "0.00"),
    ("manual", "85", None, None, "85.00"),
    ("manual", None, None, None, None),
])
def test_points(rule, value, floor, target, expected):
    result = scoring.points(rule=rule, value=value, floor=floor, target=target)
    assert result == (None if expected is None else D(expected))


@pytest.mark.django_db
def test_the_two_scorecards_are_seeded_exactly_as_quoted():
    manager = ScorecardTemplate.objects.get(code="CS-MANAGER-Q")
    assert (manager.name, manager.role) == ("客户服务部经理季度考核", "manager")
    assert list(manager.indicators.values_list("name", "weight", "source")) == [
        ("部门人员总体服务质量（外部客户满意度）", D("50.00"), "satisfaction"),
        ("部门人员服务素质、岗位技能合格率", D("20.00"), "qa_pass_rate"),
        ("流程标准化改善程度", D("10.00"), "manual"),
        ("内部客户满意度", D("10.00"), "manual"),
        ("服务分析报表的准确性、及时性、全面性", D("10.00"), "manual"),
    ]
    supervisor = ScorecardTemplate.objects.get(code="CS-INTAKE-SUPERVISOR-Q")
    assert list(supervisor.indicators.values_list("name", "weight")) == [
        ("投诉处理总体客户满意度", D("40.00")), ("信息统计、信息反馈报表和报告的及时性和准确性", D("20.00")),
        ("内部客户满意度", D("10.00")), ("本组人员技能提升效果", D("10.00")), ("服务质量", D("10.00")),
        ("MBO管理", D("10.00")),
    ]
    for template in (manager, supervisor):
        assert sum(template.indicators.values_list("weight", flat=True)) == D("100")
    assert supervisor.indicators.get(code="complaint_satisfaction").order_type == "complaint"
    assert list(ReviewForm.objects.order_by("code").values_list("code", "role")) == [
        ("CS-INTAKE-SUPERVISOR-H", "supervisor"), ("CS-MANAGER-H", "manager")]
    assert ReviewForm.objects.get(code="CS-MANAGER-H").items.filter(group="core").count() == 4


@pytest.mark.django_db
def test_manager_scorecard_with_given_values_gives_the_exact_weighted_score():
    # external satisfaction 92 % (linear 80→95: 80 pts × 50 % = 40), pass rate 90 % (85→95: 50 pts × 20 % = 10),
    # process standardisation 88 % (threshold 85: 100 × 10 % = 10), internal satisfaction 85 pts (8.5),
    # report quality 90 pts (9) → 77.50
    given = {"external_satisfaction": "92", "staff_pass_rate": "90", "process_standardisation": "88",
             "internal_satisfaction": "85", "report_quality": "90"}
    contributions = []
    for indicator in Indicator.objects.filter(template__code="CS-MANAGER-Q"):
        points = scoring.points(rule=indicator.rule, value=given[indicator.code], floor=indicator.floor,
                                target=indicator.target)
        contributions.append(scoring.weighted(score=points, weight=indicator.weight))
    assert contributions == [D("40.00"), D("10.00"), D("10.00"), D("8.50"), D("9.00")]
    assert scoring.total(contributions) == D("77.50")
