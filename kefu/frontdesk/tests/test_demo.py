"""Demo data: the demo estate's fee items, generated bills, arrears in several age buckets and
release passes in every state; loading twice adds nothing."""

import pytest
from django.core.management import call_command

from kefu.frontdesk.models import Bill, FeeItem, ReleasePass, UnitBalance

pytestmark = pytest.mark.django_db


def test_demo_frontdesk():
    call_command("demo_data", orders=20, customers=30)
    assert FeeItem.objects.filter(site__code="CH").count() == 2
    bills = Bill.objects.count()
    assert bills > 0 and set(Bill.objects.values_list("source", flat=True)) == {"generated"}
    assert UnitBalance.objects.filter(balance__gt=0, oldest_unpaid_due__isnull=False).exists()
    assert set(ReleasePass.objects.values_list("status", flat=True)) == {"requested", "approved", "used", "cancelled"}
    assert ReleasePass.objects.exclude(override_reason="").count() == 1
    call_command("demo_data", orders=0, customers=30, append=True)
    assert (Bill.objects.count(), ReleasePass.objects.count()) == (bills, 5)
