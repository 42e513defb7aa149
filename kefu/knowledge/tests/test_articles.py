"""Articles: the workflow (draft → review → published by another approver; send back; archive),
edits as revisions, scope and visibility, votes, attachments, XSS inert, cases from orders with
personal data removed; through the services and the API (`/api/v1/knowledge/articles/`)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.customers.tests.factories import make_asset, make_customer
from kefu.knowledge import services
from kefu.knowledge.models import Article, ArticleEvent, ArticleVote
from kefu.knowledge.rendering import render_markdown
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/knowledge/articles/"
XSS_BODY = ('# 标题\n<script>alert(1)</script>\n<img src=x onerror="alert(2)">\n'
            '[点我](javascript:alert(3)) <a href="https://example.com" onclick="alert(4)">ok</a>\n'
            '<iframe src="https://evil.example"></iframe><svg onload=alert(5)></svg>')


def _article(cast, **kw):
    kw.setdefault("title", "物业费缴费方式")
    kw.setdefault("body", "可以通过**微信**、支付宝或前台缴纳。")
    kw.setdefault("answer", "您好，物业费可通过微信、支付宝或前台缴纳。")
    return services.article_create(actor_user=kw.pop("author", cast["agent"]), **kw)


def test_workflow_from_draft_to_published_with_history(cast):
    article = _article(cast)
    assert (article.status, article.version, article.revision) == ("draft", 1, 1)
    services.article_update(article=article, actor_user=cast["agent"], expected_version=1, body="改过的正文")
    article = services.article_transition(article=article, action="submit", actor_user=cast["agent"])
    assert article.status == "review"
    article = services.article_transition(article=article, action="publish", actor_user=cast["supervisor"])
    assert (article.status, article.published_by, article.revision) == ("published", cast["supervisor"], 2)
    events = list(ArticleEvent.objects.filter(article=article).order_by("id").values_list("action", "revision"))
    assert events == [("create", 1), ("edit", 2), ("submit", 2), ("publish", 2)]
    first = ArticleEvent.objects.get(article=article, action="create")
    assert first.data["body"] == "可以通过**微信**、支付宝或前台缴纳。"  # the old revision is kept


def test_refusals_change_nothing(cast):
    from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound

    article = _article(cast, author=cast["supervisor"])
    services.article_transition(article=article, action="submit", actor_user=cast["supervisor"])
    before = Article.objects.values().get(pk=article.pk)
    with pytest.raises(NotAllowed):  # nobody approves their own article (but an administrator)
        services.article_transition(article=article, action="publish", actor_user=cast["supervisor"])
    with pytest.raises(NotFound):  # an agent does not even see another's article in review
        services.article_transition(article=article, action="publish", actor_user=cast["agent"])
    with pytest.raises(InvalidInput):  # sending back needs a note
        services.article_transition(article=article, action="reject", actor_user=cast["manager"])
    with pytest.raises(Conflict):  # a stale version
        services.article_transition(article=article, action="publish", actor_user=cast["manager"],
                                    expected_version=1)
    with pytest.raises(Conflict):  # archive only from published
        services.article_transition(article=article, action="archive", actor_user=cast["manager"])
    with pytest.raises(NotFound):  # a vendor cannot see a draft that is not theirs
        services.article_transition(article=article, action="submit", actor_user=cast["vendor"])
    assert Article.objects.values().get(pk=article.pk) == before
    assert ArticleEvent.objects.filter(article=article).count() == 2
    article = services.article_transition(article=article, action="reject", actor_user=cast["manager"],
                                          note="请补充缴费时间")
    assert article.status == "draft"


def test_scope_and_visibility(cast, org):
    other = _article(cast, title="其他项目的答复", author=cast["other_steward"], scope_department=org["other"])
    services.article_transition(article=other, action="submit", actor_user=cast["other_steward"])
    services.article_transition(article=other, action="publish", actor_user=cast["director"])
    mine = _article(cast, title="本项目的答复", author=cast["steward"], scope_department=org["company"])
    services.article_transition(article=mine, action="submit", actor_user=cast["steward"])
    services.article_transition(article=mine, action="publish", actor_user=cast["manager"])
    draft = _article(cast, title="草稿", author=cast["steward"])

    def titles(user):
        return sorted(row["title"] for row in _api_list(user))

    from rest_framework.test import APIClient

    def _api_list(user):
        client = APIClient()
        client.force_authenticate(user)
        return client.get(URL).json()["results"]

    assert titles(cast["technician"]) == ["本项目的答复"]  # in ENG under CO: their company's, not OTHER's
    assert titles(cast["other_technician"]) == ["其他项目的答复"]
    assert titles(cast["steward"]) == ["本项目的答复", "草稿"]  # their own draft too
    assert titles(cast["agent"]) == ["其他项目的答复", "本项目的答复"]  # visibility "all": every scope
    assert "草稿" in titles(cast["supervisor"])  # approvers see drafts in their scope
    from kefu.core.errors import InvalidInput

    with pytest.raises(InvalidInput):  # a steward cannot scope to another company
        services.article_create(actor_user=cast["steward"], title="x", scope_department=org["other"])
    assert draft.status == "draft"


def test_stored_xss_is_inert_in_api_and_page(cast, client, api):
    article = _article(cast, title='<img src=x onerror=alert(1)>标题"><script>alert(0)</script>', body=XSS_BODY,
                       author=cast["agent"])
    html = str(render_markdown(XSS_BODY))
    for bad in ("<script", "onerror", "javascript:", "onclick", "<iframe", "<svg", "onload"):
        assert bad not in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>' in html
    body = api(cast["agent"]).get(f"{URL}{article.pk}/").json()
    assert "<script" not in body["body_html"] and "onerror" not in body["body_html"]
    client.force_login(cast["agent"])
    page = client.get(f"/knowledge/{article.pk}/").content.decode()
    assert "<script>alert" not in page and "<img src=x onerror" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;标题" in page  # the title is text, escaped
    listing = client.get("/knowledge/", {"search": "标题"}).content.decode()
    assert "<img src=x" not in listing and "<mark>标题</mark>" in listing


def test_api_create_update_actions_and_search(api, cast):
    client = api(cast["agent"])
    response = client.post(URL, {"title": "装修申请需要什么材料", "body": "身份证、房产证复印件", "answer": "请带身份证",
                                 "tags": ["装修"]}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status"] == "draft"
    response = client.patch(f"{URL}{pk}/", {"answer": "请带身份证和房产证", "version": 1}, format="json")
    assert (response.status_code, response.json()["revision"]) == (200, 2)
    response = client.patch(f"{URL}{pk}/", {"answer": "旧版本", "version": 1}, format="json")
    assert response.status_code == 409
    assert client.post(f"{URL}{pk}/actions/submit/", {}, format="json").json()["status"] == "review"
    assert client.post(f"{URL}{pk}/actions/publish/", {}, format="json").status_code == 403
    boss = api(cast["supervisor"])
    assert boss.post(f"{URL}{pk}/actions/unknown/", {}, format="json").status_code == 404
    assert boss.post(f"{URL}{pk}/actions/reject/", {}, format="json").status_code == 400
    assert boss.post(f"{URL}{pk}/actions/publish/", {}, format="json").json()["status"] == "published"
    # the same exact search: width and case folded, every term
    assert [a["id"] for a in client.get(URL, {"search": "装修 身份证"}).json()["results"]] == [pk]
    assert client.get(URL, {"search": "装修 户口本"}).json()["results"] == []
    assert client.get(URL, {"search": "x" * 101}).status_code == 400
    # votes: one per person, changeable
    assert client.post(f"{URL}{pk}/vote/", {"helpful": True}, format="json").json()["helpful_yes"] == 1
    assert client.post(f"{URL}{pk}/vote/", {"helpful": True}, format="json").json()["helpful_yes"] == 1
    body = client.post(f"{URL}{pk}/vote/", {"helpful": False}, format="json").json()
    assert (body["helpful_yes"], body["helpful_no"]) == (0, 1)
    assert ArticleVote.objects.filter(article_id=pk).count() == 1
    history = client.get(f"{URL}{pk}/history/").json()
    assert [e["action"] for e in history] == ["create", "edit", "submit", "publish"]
    # input errors name the field
    response = client.post(URL, {"title": "", "tags": ["a" * 31]}, format="json")
    assert response.status_code == 400 and "title" in response.json()["fields"]


def test_attachment_only_pictures_and_pdf(cast):
    from kefu.core.errors import InvalidInput

    article = _article(cast)
    png = SimpleUploadedFile("示意图.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, content_type="image/png")
    item = services.article_attachment_add(article=article, actor_user=cast["agent"], upload=png)
    assert (item.original_name, item.content_type) == ("示意图.png", "image/png")
    exe = SimpleUploadedFile("x.png", b"MZ\x90\x00" + b"\x00" * 40, content_type="image/png")
    with pytest.raises(InvalidInput):
        services.article_attachment_add(article=article, actor_user=cast["agent"], upload=exe)
    assert article.attachments.count() == 1


def test_case_from_a_resolved_order_without_personal_data(cast, api):
    unit = make_asset(code="CH-3-2-1201")
    customer = make_customer(name="欧阳娜娜", phones=["13812345678"], assets=[unit])
    order = make_work_order(actor=cast["agent"], customer=customer, asset=unit, title="欧阳娜娜家卫生间漏水",
                            description="欧阳娜娜（13812345678，身份证110105194912310021）反映 CH-3-2-1201 卫生间漏水，"
                                        "邮箱 ouyang@example.com")
    client = api(cast["agent"])
    response = client.post(f"{URL}from-order/", {"work_order": order.pk}, format="json")
    assert response.status_code == 409  # not resolved yet
    advance(order, cast["supervisor"], "accept", ("dispatch", {"team": order.team or _mep(cast)}))
    advance(order, cast["technician"], "start", ("comment", {"body": "已通知欧阳娜娜 13812345678 明早上门", "internal": False}),
            ("resolve", {"resolution": "更换 CH-3-2-1201 的角阀，欧阳娜娜确认不再漏水"}))
    response = client.post(f"{URL}from-order/", {"work_order": order.pk}, format="json")
    assert response.status_code == 201, response.json()
    case = response.json()
    text = case["title"] + case["body"]
    for secret in ("欧阳娜娜", "13812345678", "110105194912310021", "CH-3-2-1201", "ouyang@example.com"):
        assert secret not in text
    assert case["kind"] == "case" and case["status"] == "draft" and case["source_order"] == order.pk
    assert "卫生间漏水" in case["body"] and "角阀" in case["body"]
    assert api(cast["other_steward"]).post(f"{URL}from-order/", {"work_order": order.pk},
                                           format="json").status_code == 404


def _mep(cast):
    from kefu.org.models import Department

    return Department.objects.get(code="MEP")
