"""The agent UI through Django's test client: pages render for every role, intake with the
read-back, actions with permissions and stale versions, queues, htmx partials, query budget."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.customers.tests.factories import make_asset, make_customer
from kefu.notifications.models import Notification
from kefu.org.models import Staff
from kefu.workorders.choices import PlanStatus, Status
from kefu.workorders.models import Attachment, WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import advance, category_for, make_work_order

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _login(client, user):
    client.force_login(user)
    return client


def _intake_data(**overrides):
    received = timezone.localtime() - timedelta(minutes=5)
    data = {
        "customer_q": "", "customer": "", "contact_name": "李四", "contact_phone": "13912345678", "asset": "",
        "related_order": "", "type": "repair", "channel": "phone", "category": str(category_for("repair").pk),
        "priority": "high", "complaint_level": "", "title": "卫生间漏水", "description": "漏到楼下",
        "received_at": received.strftime("%Y-%m-%dT%H:%M"), "promised_at": "", "tags": "重复来电， 漏水",
    }
    data.update(overrides)
    return data


# --- pages render ------------------------------------------------------------------------------

ROLES = ["agent", "steward", "supervisor", "manager", "director", "technician", "qa", "clerk", "vendor",
         "administrator"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_for_every_role(client, cast, org, role):
    order = make_work_order(actor=cast["agent"])
    order = advance(order, cast["agent"], ("dispatch", {"team": org["mep"]}))
    _login(client, cast[role])
    for name in ("mine", "team", "received", "approval", "all"):
        assert client.get(reverse("workorders:queue"), {"queue": name}).status_code == 200
    assert client.get(reverse("notifications:list")).status_code == 200
    intake = client.get(reverse("workorders:intake"))
    assert intake.status_code == (403 if role in ("qa", "vendor") else 200)
    detail = client.get(reverse("workorders:detail", args=[order.pk]))
    # the vendor and the steward (another team) do not see this order at all
    assert detail.status_code == (404 if role in ("vendor", "steward") else 200)
    # and every role's page renders for an order it may see
    own = advance(make_work_order(actor=cast["agent"]), cast["agent"],
                  ("dispatch", {"team": org["vend"] if role == "vendor" else org["stw"]}))
    if role not in ("technician",):
        assert client.get(reverse("workorders:detail", args=[own.pk])).status_code == 200


def test_login_page_and_anonymous_redirect(client):
    assert client.get(reverse("login")).status_code == 200
    response = client.get(reverse("workorders:queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_layout_has_navbar_local_assets_and_no_cdn(client, cast):
    _login(client, cast["agent"])
    html = client.get(reverse("workorders:queue")).content.decode()
    assert "navbar-toggler" in html
    assert "vendor/bootstrap/bootstrap.min.css" in html and "django_htmx/htmx" in html
    # Every script and stylesheet is served by us: no absolute URLs in src/href at all (a CSRF
    # token can spell "cdn" by chance, so the test looks at the attributes, not the whole page).
    assets = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert assets and all(not a.startswith(("http:", "https:", "//")) for a in assets), assets
    assert "cdn" not in " ".join(assets).lower()
    assert reverse("workorders:intake") in html
    assert 'action="/logout/"' in html and 'action="/language/"' in html


def test_detail_shows_fields_timeline_and_only_available_actions(client, cast, org):
    customer = make_customer(name="张三", phones=["13800138000"])
    order = make_work_order(actor=cast["agent"], customer=customer, tags=["漏水"])
    _login(client, cast["technician"])
    # not dispatched to the technician's team yet: they see it? (department visibility: no)
    assert client.get(reverse("workorders:detail", args=[order.pk])).status_code == 404
    _login(client, cast["agent"])
    html = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert order.number in html and "张三" in html and "漏水" in html
    assert 'data-action="create"' in html
    for action in ("accept", "dispatch", "cancel"):
        assert f'id="modal-{action}"' in html
    for action in ("close", "approve_plan", "resume", "reopen"):
        assert f'id="modal-{action}"' not in html
    assert f'name="version" value="{order.version}"' in html


# --- intake ------------------------------------------------------------------------------------

def test_intake_post_creates_order_through_the_service(client, cast):
    asset = make_asset(code="CH-1-1203")
    customer = make_customer(name="张三", phones=["13800138000"], assets=[asset])
    _login(client, cast["agent"])
    data = _intake_data(customer=str(customer.pk), asset=str(asset.pk), contact_name="张三",
                        contact_phone="13800138000", confirm="1")
    response = client.post(reverse("workorders:intake"), data)
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workorders:detail", args=[order.pk])
    assert (order.type, order.channel, order.priority, order.complaint_level) == ("repair", "phone", "high", None)
    assert (order.title, order.description) == ("卫生间漏水", "漏到楼下")
    assert (order.customer, order.asset, order.site) == (customer, asset, asset.site)
    assert (order.contact_name, order.contact_phone) == ("张三", "13800138000")
    assert order.first_contact_owner == cast["agent"]
    assert order.status == Status.NEW
    assert sorted(order.tags.values_list("name", flat=True)) == ["漏水", "重复来电"]
    assert abs(order.received_at - (timezone.now() - timedelta(minutes=5))) < timedelta(minutes=2)
    assert list(WorkOrderEvent.objects.filter(work_order=order).values_list("action", flat=True)) == ["create"]
    # the number is shown at once on the order page
    page = client.get(response["Location"]).content.decode()
    assert order.number in page and "alert-success" in page


def test_intake_refuses_a_customer_outside_the_users_scope(client, cast, org):
    from kefu.customers.tests.factories import make_site

    # given a steward of the estate company and an occupant of another company's site
    site_b = make_site(code="B", name="华悦大厦", department=org["other"])
    outsider = make_customer(name="乙业主", phones=["13800000002"], assets=[make_asset(site=site_b, code="B-1-101")])
    _login(client, cast["steward"])
    # when the steward posts that customer's id (a crafted request: the lookup never offers it)
    response = client.post(reverse("workorders:intake"), _intake_data(customer=str(outsider.pk), confirm="1"))
    # then the field is refused, nothing is created, and the customer block is not shown either
    assert response.status_code == 400
    assert "customer" in response.context["form"].errors
    assert not WorkOrder.objects.exists()
    block = client.get(reverse("workorders:intake_customer"), {"customer": outsider.pk})
    assert block.status_code == 404


def test_intake_complaint_with_level_and_related_order(client, cast):
    earlier = make_work_order(actor=cast["agent"])
    _login(client, cast["agent"])
    data = _intake_data(type="complaint", category=str(category_for("complaint").pk), complaint_level="2",
                        related_order=str(earlier.pk), confirm="1",
                        promised_at=(timezone.localtime() + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"))
    assert client.post(reverse("workorders:intake"), data).status_code == 302
    order = WorkOrder.objects.exclude(pk=earlier.pk).get()
    assert (order.type, order.complaint_level, order.related_order) == ("complaint", 2, earlier)
    assert order.promised_at is not None


def test_review_returns_read_back_with_customer_name_and_creates_nothing(client, cast):
    asset = make_asset(code="CH-1-1203")
    customer = make_customer(name="张三", phones=["13800138000"], assets=[asset])
    _login(client, cast["agent"])
    promised = timezone.localtime() + timedelta(days=1)
    data = _intake_data(customer=str(customer.pk), asset=str(asset.pk), contact_name="张三",
                        promised_at=promised.strftime("%Y-%m-%dT%H:%M"))
    response = client.post(reverse("workorders:intake_review"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三" in html and "卫生间漏水" in html and "CH-1-1203" in html
    assert promised.strftime("%H:%M") in html
    assert 'name="confirm"' in html and "autofocus" in html
    assert "<html" not in html  # a partial
    assert WorkOrder.objects.count() == 0


def test_plain_post_without_confirm_shows_the_read_back_instead_of_saving(client, cast):
    _login(client, cast["agent"])
    response = client.post(reverse("workorders:intake"), _intake_data())
    assert response.status_code == 200
    assert 'id="confirm-save"' in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_invalid_intake_shows_field_errors_and_creates_nothing(client, cast):
    _login(client, cast["agent"])
    before = (WorkOrder.objects.count(), WorkOrderEvent.objects.count())
    response = client.post(reverse("workorders:intake"), _intake_data(title="", confirm="1"))
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    # the review step shows the same error in place of the form fields
    review = client.post(reverse("workorders:intake_review"), _intake_data(title=""), HTTP_HX_REQUEST="true")
    assert review.status_code == 400
    assert review["HX-Retarget"] == "#intake-fields"
    assert "title" in review.context["form"].errors
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count()) == before


def test_intake_category_of_another_type_is_a_field_error(client, cast):
    _login(client, cast["agent"])
    response = client.post(reverse("workorders:intake"),
                           _intake_data(category=str(category_for("complaint").pk), confirm="1"))
    assert response.status_code == 400
    assert "category" in response.context["form"].errors
    assert WorkOrder.objects.count() == 0


def test_intake_future_received_time_is_a_field_error(client, cast):
    _login(client, cast["agent"])
    future = timezone.localtime() + timedelta(days=2)
    # the form lets a future time through the first check only if within the skew; the service
    # refuses a promised time before the received time
    response = client.post(reverse("workorders:intake"), _intake_data(
        received_at=future.strftime("%Y-%m-%dT%H:%M"), confirm="1"))
    assert response.status_code == 400
    assert "received_at" in response.context["form"].errors
    assert WorkOrder.objects.count() == 0


def test_vendor_may_not_open_intake(client, cast):
    _login(client, cast["vendor"])
    assert client.post(reverse("workorders:intake"), _intake_data(confirm="1")).status_code == 403
    assert WorkOrder.objects.count() == 0


def test_customer_lookup_and_pick(client, cast):
    asset = make_asset(code="CH-1-1203")
    customer = make_customer(name="张三", phones=["138-0013-8000"], assets=[asset])
    open_order = make_work_order(actor=cast["agent"], customer=customer, asset=asset, title="旧的漏水单")
    _login(client, cast["agent"])
    html = client.get(reverse("customers:lookup"), {"q": "138 0013"}, HTTP_HX_REQUEST="true").content.decode()
    assert "张三" in html and f"customer={customer.pk}" in html
    assert "张三" in client.get(reverse("customers:lookup"), {"q": "zs"}).content.decode()
    picked = client.get(reverse("workorders:intake_customer"), {"customer": customer.pk},
                        HTTP_HX_REQUEST="true").content.decode()
    assert f'name="customer" id="id_customer" value="{customer.pk}"' in picked
    assert 'value="13800138000"' in picked and "CH-1-1203" in picked
    assert 'hx-swap-oob="true"' in picked and open_order.number in picked


# --- actions -----------------------------------------------------------------------------------

def _snapshot(order):
    order = WorkOrder.objects.get(pk=order.pk)
    return (order.status, order.version, order.team_id, order.plan_status,
            WorkOrderEvent.objects.filter(work_order=order).count())


def test_action_dispatch_with_assignee_and_version(client, cast, org):
    order = make_work_order(actor=cast["agent"])
    _login(client, cast["agent"])
    promised = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("workorders:action", args=[order.pk, "dispatch"]), {
        "version": order.version, "team": org["mep"].pk, "assignee": cast["technician"].pk,
        "promised_at": promised, "note": "尽快"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.team, order.assignee) == (Status.DISPATCHED, org["mep"], cast["technician"])
    assert order.promised_at is not None
    assert order.events.filter(action="dispatch").count() == 1


def test_action_via_htmx_redirects_with_hx_redirect(client, cast):
    order = make_work_order(actor=cast["agent"])
    _login(client, cast["agent"])
    response = client.post(reverse("workorders:action", args=[order.pk, "accept"]), {"version": order.version},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("workorders:detail", args=[order.pk])


def test_action_without_permission_is_403_and_writes_nothing(client, cast, org):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("dispatch", {"team": org["mep"]}))
    before = _snapshot(order)
    _login(client, cast["technician"])
    response = client.post(reverse("workorders:action", args=[order.pk, "cancel"]),
                           {"version": order.version, "reason": "不要了"})
    assert response.status_code == 403
    assert "cancel" in response.content.decode().lower() or response.context["error_message"]
    assert _snapshot(order) == before
    # an order the user cannot see: 404, nothing written either
    _login(client, cast["other_technician"])
    response = client.post(reverse("workorders:action", args=[order.pk, "start"]), {"version": order.version})
    assert response.status_code == 404
    assert _snapshot(order) == before


def test_stale_version_is_409_with_message_and_no_change(client, cast):
    order = make_work_order(actor=cast["agent"])
    stale = order.version
    advance(order, cast["supervisor"], "accept")
    before = _snapshot(order)
    Staff.objects.filter(user=cast["agent"]).update(language="en")  # assert the English source text
    _login(client, cast["agent"])
    response = client.post(reverse("workorders:action", args=[order.pk, "cancel"]),
                           {"version": stale, "reason": "重复"})
    assert response.status_code == 409
    assert "Someone else changed this work order" in response.content.decode()
    assert _snapshot(order) == before
    # the same through htmx: the dialog's form comes back with the message, still 409
    response = client.post(reverse("workorders:action", args=[order.pk, "cancel"]),
                           {"version": stale, "reason": "重复"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Someone else changed this work order" in response.content.decode()
    assert "<html" not in response.content.decode()
    assert _snapshot(order) == before


def test_missing_required_field_is_400(client, cast):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept")
    before = _snapshot(order)
    _login(client, cast["agent"])
    response = client.post(reverse("workorders:action", args=[order.pk, "resolve"]),
                           {"version": order.version, "resolution": ""})
    assert response.status_code == 400
    assert "resolution" in response.context["action_forms"][[n for n, _l, _f in response.context["action_forms"]]
                                                            .index("resolve")][2].errors
    assert _snapshot(order) == before


def test_resolve_before_plan_approval_is_409(client, cast, org):
    order = make_work_order(actor=cast["agent"], type="complaint", category=category_for("complaint"),
                            complaint_level=2)
    order = advance(order, cast["agent"], "accept")
    _login(client, cast["agent"])
    response = client.post(reverse("workorders:action", args=[order.pk, "resolve"]),
                           {"version": order.version, "resolution": "已道歉"})
    assert response.status_code == 409
    assert WorkOrder.objects.get(pk=order.pk).status == Status.ACCEPTED


def test_plan_submit_and_approve_through_the_ui(client, cast):
    order = make_work_order(actor=cast["agent"], type="complaint", category=category_for("complaint"),
                            complaint_level=2)
    order = advance(order, cast["agent"], "accept")
    _login(client, cast["agent"])
    assert client.post(reverse("workorders:action", args=[order.pk, "submit_plan"]), {
        "version": order.version, "plan": "上门道歉并赔偿", "compensation_amount": "200"}).status_code == 302
    order.refresh_from_db()
    assert order.plan_status == PlanStatus.PENDING
    _login(client, cast["manager"])
    html = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'id="modal-approve_plan"' in html
    assert client.post(reverse("workorders:action", args=[order.pk, "approve_plan"]),
                       {"version": order.version, "note": "同意"}).status_code == 302
    order.refresh_from_db()
    assert order.plan_status == PlanStatus.APPROVED


def test_comment_and_unknown_action(client, cast):
    order = make_work_order(actor=cast["agent"])
    _login(client, cast["agent"])
    response = client.post(reverse("workorders:action", args=[order.pk, "comment"]),
                           {"version": order.version, "body": "客户又来电", "internal": "on"})
    assert response.status_code == 302
    event = order.events.get(action="comment")
    assert (event.body, event.internal) == ("客户又来电", True)
    assert client.post(reverse("workorders:action", args=[order.pk, "explode"]), {"version": 1}).status_code == 404


def test_assignee_options_lists_team_staff(client, cast, org):
    _login(client, cast["agent"])
    html = client.get(reverse("workorders:assignee_options"), {"team": org["mep"].pk}).content.decode()
    assert f'value="{cast["technician"].pk}"' in html
    assert f'value="{cast["agent"].pk}"' not in html


def test_attachment_upload_and_thumbnail(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = make_work_order(actor=cast["agent"])
    _login(client, cast["agent"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("workorders:attachment_upload", args=[order.pk]),
                           {"file": SimpleUploadedFile("现场.png", PNG, content_type="image/png")})
    assert response.status_code == 302
    item = Attachment.objects.get(work_order=order)
    html = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    url = reverse("workorders:attachment", args=[order.pk, item.pk])
    assert f'<img src="{url}"' in html
    assert client.get(url).status_code == 200
    bad = client.post(reverse("workorders:attachment_upload", args=[order.pk]),
                      {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="image/png")})
    assert bad.status_code == 400
    assert Attachment.objects.filter(work_order=order).count() == 1


# --- queues ------------------------------------------------------------------------------------

def test_queue_counts_tabs_and_default_queue(client, cast, org):
    for _i in range(3):
        make_work_order(actor=cast["agent"])
    advance(make_work_order(actor=cast["agent"]), cast["agent"],
            ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    _login(client, cast["agent"])
    response = client.get(reverse("workorders:queue"))
    assert response.context["queue"] == "received"
    tabs = {key: count for key, _label, count in response.context["tabs"]}
    assert tabs["received"] == 4 and tabs["mine"] == 0
    assert "approval" not in tabs  # agents approve nothing
    _login(client, cast["technician"])
    response = client.get(reverse("workorders:queue"))
    assert response.context["queue"] == "mine"
    assert response.context["page"].paginator.count == 1
    _login(client, cast["supervisor"])
    response = client.get(reverse("workorders:queue"))
    # the supervisor lands on "to dispatch": the three new orders of their department without a team
    assert response.context["queue"] == "dispatch"
    tabs = {key: count for key, _label, count in response.context["tabs"]}
    assert tabs["dispatch"] == 3
    assert response.context["page"].paginator.count == 3
    _login(client, cast["manager"])
    response = client.get(reverse("workorders:queue"))
    assert response.context["queue"] == "all" and "approval" in {k for k, _l, _c in response.context["tabs"]}


def test_queue_filters_and_ordering_use_the_filterset(client, cast):
    make_work_order(actor=cast["agent"], title="电梯困人", priority="urgent")
    make_work_order(actor=cast["agent"], title="漏水", priority="low")
    _login(client, cast["agent"])
    response = client.get(reverse("workorders:queue"), {"queue": "all", "q": "电梯"})
    assert [o.title for o in response.context["orders"]] == ["电梯困人"]
    response = client.get(reverse("workorders:queue"), {"queue": "all", "ordering": "priority"})
    assert [o.priority for o in response.context["orders"]] == ["low", "urgent"]
    response = client.get(reverse("workorders:queue"), {"queue": "all", "priority": "urgent"})
    assert [o.title for o in response.context["orders"]] == ["电梯困人"]
    # the filter form submits every field, most of them empty: empty values are no filter
    response = client.get(reverse("workorders:queue"), {"queue": "all", "q": "电梯", "status": "", "type": "",
                                                        "priority": "", "team": "", "received_after": ""})
    assert [o.title for o in response.context["orders"]] == ["电梯困人"]
    assert not response.context["filter_errors"]
    # a bad filter value is reported, not a 500
    response = client.get(reverse("workorders:queue"), {"queue": "all", "status": "bogus"})
    assert response.status_code == 200 and response.context["filter_errors"]


def test_queue_htmx_request_gets_only_the_partial(client, cast):
    make_work_order(actor=cast["agent"])
    _login(client, cast["agent"])
    response = client.get(reverse("workorders:queue"), {"queue": "all"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="queue-results"') and "<html" not in html
    assert "HX-Request" in response["Vary"]
    full = client.get(reverse("workorders:queue"), {"queue": "all"}).content.decode()
    assert "<html" in full and 'id="queue-results"' in full


def test_queue_pages_by_25(client, cast):
    for _i in range(27):
        make_work_order(actor=cast["agent"])
    _login(client, cast["agent"])
    response = client.get(reverse("workorders:queue"), {"queue": "all"})
    assert len(response.context["orders"]) == 25 and response.context["page"].has_next()
    response = client.get(reverse("workorders:queue"), {"queue": "all", "page": 2})
    assert len(response.context["orders"]) == 2


def _queries_for_queue(client, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(reverse("workorders:queue"), {"queue": "all"})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_queue_query_count_does_not_grow_with_rows(client, cast, org, django_assert_max_num_queries, monkeypatch):
    # The deadline chips read the holiday table through a cache that re-checks its freshness every
    # 30 s (two queries, kefu.sla.selectors): held for the test, so both measurements match.
    monkeypatch.setattr("kefu.sla.selectors.HOLIDAY_CACHE_SECONDS", 3600.0)
    customer = make_customer(name="王五", assets=[make_asset()])

    def add(n):
        for i in range(n):
            order = make_work_order(actor=cast["agent"], customer=customer, tags=[f"t{i % 3}"])
            if i % 2:
                advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))

    add(25)
    _login(client, cast["supervisor"])
    client.get(reverse("workorders:queue"), {"queue": "all"})  # fills the holiday cache
    # Budget: session and user, the actor, five per-queue COUNTs (each on its own index, see
    # selectors.queue_counts), the page's COUNT and rows, one query per prefetched relation, the
    # saved views (kefu.workspace), the page's live SLA clocks for the deadline chips (kefu.sla) and the
    # user's organisation (org.selectors.organisation_path, for the pickers).
    small = _queries_for_queue(client, django_assert_max_num_queries, 26)
    add(25)
    large = _queries_for_queue(client, django_assert_max_num_queries, 26)
    assert small == large, (small, large)


# --- language ----------------------------------------------------------------------------------

def test_english_ui_when_staff_language_is_en(client, cast):
    Staff.objects.filter(user=cast["agent"]).update(language="en")
    _login(client, cast["agent"])
    html = client.get(reverse("workorders:queue")).content.decode()
    assert '<html lang="en">' in html
    assert "New work order" in html and "I received" in html


def test_chinese_by_default(client, cast):
    _login(client, cast["supervisor"])
    html = client.get(reverse("workorders:queue")).content.decode()
    assert '<html lang="zh-hans">' in html


def test_language_switch_stores_choice_on_profile(client, cast):
    _login(client, cast["agent"])
    response = client.post(reverse("core:set_language"), {"language": "en", "next": reverse("workorders:queue")})
    assert response.status_code == 302
    assert Staff.objects.get(user=cast["agent"]).language == "en"
    assert '<html lang="en">' in client.get(reverse("workorders:queue")).content.decode()


# --- notifications -----------------------------------------------------------------------------

def test_notifications_bell_page_and_mark_read(client, cast, org, django_capture_on_commit_callbacks):
    order = make_work_order(actor=cast["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    notice = Notification.objects.get(recipient=cast["technician"])
    _login(client, cast["technician"])
    html = client.get(reverse("workorders:queue")).content.decode()
    assert 'kefu-unread">1<' in html
    page = client.get(reverse("notifications:list")).content.decode()
    assert order.number in page
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("workorders:detail", args=[order.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'kefu-unread' not in client.get(reverse("workorders:queue")).content.decode()
    # someone else's notice is not theirs to open
    _login(client, cast["agent"])
    assert client.post(reverse("notifications:open", args=[notice.pk])).status_code == 404


def test_error_pages_render(client, cast):
    _login(client, cast["agent"])
    response = client.get(reverse("workorders:detail", args=[999999]))
    assert response.status_code == 404
    assert "404" in response.content.decode()
