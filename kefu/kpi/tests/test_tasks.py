"""The nightly generation and the command."""

from datetime import date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from kefu.kpi.models import Scorecard
from kefu.kpi.tasks import kpi_generate_task, quarters_to_generate


def test_quarters_to_generate_includes_last_quarter_for_two_weeks():
    assert quarters_to_generate(date(2026, 11, 23)) == [(2026, 4)]
    assert quarters_to_generate(date(2026, 10, 3)) == [(2026, 3), (2026, 4)]
    assert quarters_to_generate(date(2027, 1, 10)) == [(2026, 4), (2027, 1)]


@pytest.mark.django_db
def test_task_and_command(cast):
    with time_machine.travel(datetime(2026, 11, 18, 3, tzinfo=timezone.get_current_timezone()), tick=False):
        assert kpi_generate_task.call_local() == 2
        out = StringIO()
        call_command("kpi_generate", stdout=out)
    assert out.getvalue().strip() == "2 scorecards"
    assert Scorecard.objects.filter(year=2026, quarter=4).count() == 2
    assert set(Scorecard.objects.values_list("events__action", flat=True)) == {"generate", "refresh"}
