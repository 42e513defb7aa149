"""The nonconformity pages: the vendor user sees only their own vendor's and replies; an
inspector verifies; a stale page is a 409 that writes nothing; a vendor may not verify."""

from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kefu.vendors import services
from kefu.vendors.models import Nonconformity
from kefu.vendors.tests.factories import make_vendor

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _nc(cast, vendor, text="机房未上锁"):
    return services.nonconformity_create(actor_user=cast["supervisor"], vendor=vendor, description=text,
                                         deadline=date(2026, 12, 10),
                                         found_at=datetime(2026, 12, 4, 10, tzinfo=timezone.get_current_timezone()))


def test_vendor_replies_and_the_inspector_verifies(cast, org, django_assert_max_num_queries):
    lift = make_vendor(actor=cast["supervisor"], team=org["vend"])
    clean = make_vendor(actor=cast["supervisor"], team=org["mep"], name="洁美保洁服务有限公司", scope="cleaning")
    own, other = _nc(cast, lift), _nc(cast, clean, "楼道未清扫")
    vendor = _client(cast["vendor"])
    vendor.get(reverse("vendors:nonconformities"))
    with django_assert_max_num_queries(10):
        listing = vendor.get(reverse("vendors:nonconformities")).content.decode()
    assert f'data-nc="{own.pk}"' in listing and f'data-nc="{other.pk}"' not in listing
    assert vendor.get(reverse("vendors:nonconformity", args=[other.pk])).status_code == 404
    assert 'id="form-verify"' not in vendor.get(reverse("vendors:nonconformity", args=[own.pk])).content.decode()
    url = reverse("vendors:nonconformity_action", args=[own.pk, "reply"])
    assert vendor.post(url, {"version": 1, "reply": "已加锁并张贴警示"}).status_code == 302
    stale = vendor.post(url, {"version": 1, "reply": "again"})
    assert stale.status_code == 409
    assert vendor.post(reverse("vendors:nonconformity_action", args=[own.pk, "verify"]),
                       {"version": 2, "verification": "x"}).status_code == 403
    supervisor = _client(cast["supervisor"])
    assert supervisor.post(reverse("vendors:nonconformity_action", args=[own.pk, "verify"]),
                           {"version": 2, "verification": "复查已整改"}).status_code == 302
    own = Nonconformity.objects.get(pk=own.pk)
    assert (own.status, own.reply, own.verification, own.version) == ("closed", "已加锁并张贴警示", "复查已整改", 3)
    assert Nonconformity.objects.get(pk=other.pk).version == 1
    assert supervisor.get(reverse("vendors:nonconformities") + "?status=closed").content.decode().count(
        "kefu-nc-row") == 1
