"""Demo data: every generated order searchable, published answers, a case library without the
orders' personal data, canned replies with macros; loading twice adds nothing."""

import pytest
from django.core.management import call_command

from kefu.knowledge.models import Article, CannedReply, SiteServicePhone, WorkOrderSearch
from kefu.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_demo_knowledge(client):
    call_command("demo_data", orders=60, customers=30)
    assert WorkOrderSearch.objects.count() == WorkOrder.objects.count()
    counts = (Article.objects.count(), CannedReply.objects.count())
    assert Article.objects.filter(kind="answer", status="published").count() == 7
    cases = list(Article.objects.filter(kind="case", status="published").select_related("source_order__customer"))
    assert cases
    for case in cases:
        order = case.source_order
        names = [order.contact_name] + ([order.customer.name] if order.customer_id else [])
        assert not any(name and name in case.title + case.body for name in names)
    assert CannedReply.objects.filter(owner__isnull=True, macro="hold").count() == 1
    assert SiteServicePhone.objects.filter(site__code="CH").exists()
    call_command("demo_data", orders=60, customers=30)
    assert (Article.objects.count(), CannedReply.objects.count()) == counts
    # an agent finds generated orders and the answers from the header box
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="agent"))
    body = client.get("/api/v1/search/", {"q": "漏水"}).json()
    assert body["articles"] and body["articles"][0]["title"] == "漏水报修应急口径"
    expected = WorkOrder.objects.filter(title__contains="漏水").count()
    assert client.get("/api/v1/work-orders/", {"search": "漏水"}).json()["count"] >= expected
