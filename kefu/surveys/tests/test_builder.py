"""The questionnaire builder: questions move up and down within their section, sections move up
and down, and both are deleted, only while the questionnaire is a draft; positions stay 1…n. The
Django admin's deletes run the same services; a published version's are refused."""

import pytest
from django.test import Client
from django.urls import reverse

from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.surveys import selectors, services
from kefu.surveys.models import Answer, Question, Questionnaire, Section, ServiceItem
from kefu.surveys.tests.factories import answers_for, make_campaign

pytestmark = pytest.mark.django_db


def _draft(actor):
    """A draft with section 保洁 (A, B, C, D) and section 总体 (E)."""
    q = services.questionnaire_create(actor_user=actor, code="draft", title="年度调查")
    first = services.section_add(actor_user=actor, questionnaire=q, title="保洁")
    second = services.section_add(actor_user=actor, questionnaire=q, title="总体")
    for text in "ABCD":
        services.question_add(actor_user=actor, section=first, kind="scale5", text=text)
    services.question_add(actor_user=actor, section=second, kind="text", text="E", required=False)
    return q, first, second


def _order(section) -> list[tuple[str, int]]:
    return list(Question.objects.filter(section=section).order_by("position", "id").values_list("text", "position"))


def _question(section, text) -> Question:
    return Question.objects.get(section=section, text=text)


def _snapshot() -> list[tuple]:
    return list(Question.objects.order_by("id").values_list("id", "section_id", "position", "text"))


def test_move_and_delete_keep_positions_contiguous(cast):
    actor = cast["supervisor"]
    q, first, second = _draft(actor)
    assert _order(first) == [("A", 1), ("B", 2), ("C", 3), ("D", 4)]
    services.question_move(actor_user=actor, question=_question(first, "C"), direction="up")
    assert _order(first) == [("A", 1), ("C", 2), ("B", 3), ("D", 4)]
    services.question_move(actor_user=actor, question=_question(first, "A"), direction="down")
    assert _order(first) == [("C", 1), ("A", 2), ("B", 3), ("D", 4)]
    services.question_move(actor_user=actor, question=_question(first, "D"), direction="up")
    assert _order(first) == [("C", 1), ("A", 2), ("D", 3), ("B", 4)]
    services.question_delete(actor_user=actor, question=_question(first, "A"))
    assert _order(first) == [("C", 1), ("D", 2), ("B", 3)]
    services.question_delete(actor_user=actor, question=_question(first, "B"))  # the last one
    assert _order(first) == [("C", 1), ("D", 2)]
    services.question_delete(actor_user=actor, question=_question(first, "C"))  # the first one
    assert _order(first) == [("D", 1)]
    assert _order(second) == [("E", 1)]  # the other section is untouched
    # the public form asks them in that order
    services.questionnaire_publish(actor_user=actor, questionnaire=q)
    assert [x.text for x in selectors.questions_of(q)] == ["D", "E"]


def test_gaps_and_ties_left_by_older_data_close_up_on_the_next_change(cast):
    actor = cast["supervisor"]
    _q, first, _second = _draft(actor)
    for text, position in (("A", 3), ("B", 3), ("C", 10), ("D", 0)):
        Question.objects.filter(section=first, text=text).update(position=position)
    services.question_move(actor_user=actor, question=_question(first, "C"), direction="up")
    assert _order(first) == [("D", 1), ("A", 2), ("C", 3), ("B", 4)]


def test_refusals_name_why_and_write_nothing(cast):
    actor = cast["supervisor"]
    q, first, _second = _draft(actor)
    before = _snapshot()
    cases = [(_question(first, "A"), "up", "direction"), (_question(first, "D"), "down", "direction"),
             (_question(first, "B"), "left", "direction"), (_question(first, "B"), "", "direction")]
    for question, direction, field in cases:
        with pytest.raises(InvalidInput) as error:
            services.question_move(actor_user=actor, question=question, direction=direction)
        assert list(error.value.fields) == [field], direction
    with pytest.raises(InvalidInput) as error:
        services.question_move(actor_user=actor, question=_question(first, "A"), direction="up")
    assert error.value.message == "方向：这已是本部分的第一题。"
    for role in ("agent", "clerk", "qa", "technician"):
        with pytest.raises(NotAllowed):
            services.question_move(actor_user=cast[role], question=_question(first, "B"), direction="up")
        with pytest.raises(NotAllowed):
            services.question_delete(actor_user=cast[role], question=_question(first, "B"))
    assert _snapshot() == before

    services.questionnaire_publish(actor_user=actor, questionnaire=q)
    with pytest.raises(Conflict) as error:
        services.question_move(actor_user=actor, question=_question(first, "B"), direction="up")
    assert error.value.status_code == 409
    assert error.value.message == "此版本问卷已发布，不能再修改；请建立新版本。"
    with pytest.raises(Conflict):
        services.question_delete(actor_user=actor, question=_question(first, "B"))
    assert _snapshot() == before


def test_a_questionnaire_in_a_started_campaign_cannot_change_under_its_answers(cast):
    actor = cast["supervisor"]
    campaign = make_campaign(actor=actor, units=2)
    services.response_submit(invitation=campaign.invitations.first(), channel="paper",
                             answers=answers_for(campaign, 4))
    question = Question.objects.filter(section__questionnaire=campaign.questionnaire).order_by("id")[1]
    before, answers = _snapshot(), list(Answer.objects.order_by("id").values_list("id", "question_id", "score"))
    with pytest.raises(Conflict):
        services.question_move(actor_user=actor, question=question, direction="up")
    with pytest.raises(Conflict):
        services.question_delete(actor_user=actor, question=question)
    # even if the version were set back to draft behind the services' back, answers are not lost
    Questionnaire.objects.filter(pk=campaign.questionnaire_id).update(status="draft")
    with pytest.raises(Conflict) as error:
        services.question_delete(actor_user=actor, question=question)
    assert error.value.message == "此问题已有答卷，不能删除；请建立新版本。"
    assert _snapshot() == before
    assert list(Answer.objects.order_by("id").values_list("id", "question_id", "score")) == answers


# --- the page -----------------------------------------------------------------------------------

def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_builder_moves_and_deletes_over_htmx(cast):
    q, first, _second = _draft(cast["supervisor"])
    url = reverse("surveys:questionnaire", args=[q.pk])
    client = _client(cast["supervisor"])
    page = client.get(url).content.decode()
    assert page.count("kefu-move-up") == 5 and page.count("kefu-delete-question") == 5

    moved = client.post(url, {"op": "move", "question": _question(first, "B").pk, "direction": "up"},
                        HTTP_HX_REQUEST="true")
    assert moved.status_code == 200
    html = moved.content.decode()
    assert html.lstrip().startswith('<div id="builder-sections">') and "<html" not in html
    assert html.index(">B<") < html.index(">A<")
    assert _order(first) == [("B", 1), ("A", 2), ("C", 3), ("D", 4)]

    deleted = client.post(url, {"op": "delete", "question": _question(first, "A").pk}, HTTP_HX_REQUEST="true")
    assert deleted.status_code == 200 and ">A<" not in deleted.content.decode()
    assert _order(first) == [("B", 1), ("C", 2), ("D", 3)]
    # without htmx: back to the page
    plain = client.post(url, {"op": "move", "question": _question(first, "D").pk, "direction": "up"})
    assert plain.status_code == 302 and plain["Location"] == url
    assert _order(first) == [("B", 1), ("D", 2), ("C", 3)]


def test_builder_refusals_over_htmx_write_nothing(cast):
    q, first, _second = _draft(cast["supervisor"])
    other_first = _draft_other(cast["supervisor"])
    url = reverse("surveys:questionnaire", args=[q.pk])
    client = _client(cast["supervisor"])
    before = _snapshot()
    sideways = client.post(url, {"op": "move", "question": _question(first, "B").pk, "direction": "sideways"},
                           HTTP_HX_REQUEST="true")
    assert sideways.status_code == 400 and 'id="question-error"' in sideways.content.decode()
    assert "方向：只能上移或下移。" in sideways.content.decode()
    foreign = client.post(url, {"op": "delete", "question": _question(other_first, "A").pk}, HTTP_HX_REQUEST="true")
    assert foreign.status_code == 400 and "问题：此问卷中没有该问题。" in foreign.content.decode()
    for garbage in ("x", "9" * 30, "", "١"):
        refused = client.post(url, {"op": "delete", "question": garbage}, HTTP_HX_REQUEST="true")
        assert refused.status_code == 400, garbage
    assert _client(cast["clerk"]).post(url, {"op": "delete", "question": _question(first, "A").pk}).status_code == 403
    services.questionnaire_publish(actor_user=cast["supervisor"], questionnaire=q)
    frozen = client.post(url, {"op": "delete", "question": _question(first, "A").pk}, HTTP_HX_REQUEST="true")
    assert frozen.status_code == 409
    html = frozen.content.decode()
    assert "此版本问卷已发布，不能再修改；请建立新版本。" in html and "kefu-delete-question" not in html
    plain = client.post(url, {"op": "delete", "question": _question(first, "A").pk})
    assert plain.status_code == 409 and 'id="form-error"' in plain.content.decode()
    assert _snapshot() == before


def _draft_other(actor):
    q = services.questionnaire_create(actor_user=actor, code="other", title="另一份")
    section = services.section_add(actor_user=actor, questionnaire=q, title="部分")
    services.question_add(actor_user=actor, section=section, kind="text", text="A", required=False)
    return section


# --- sections -------------------------------------------------------------------------------------

def _three_sections(actor):
    """The draft of `_draft` plus a third section 绿化 (F), tied to the service item greenery."""
    q, first, second = _draft(actor)
    item = ServiceItem.objects.get(code="greenery")
    third = services.section_add(actor_user=actor, questionnaire=q, title="绿化", item=item)
    services.question_add(actor_user=actor, section=third, kind="scale5", text="F")
    return q, first, second, third


def _sections(q) -> list[tuple[str, int]]:
    return list(Section.objects.filter(questionnaire=q).order_by("position", "id").values_list("title", "position"))


def _everything() -> list[tuple]:
    return [*_snapshot(), *Section.objects.order_by("id").values_list("id", "questionnaire_id", "position", "title")]


def test_sections_move_and_delete_keep_positions_contiguous(cast):
    actor = cast["supervisor"]
    q, first, second, third = _three_sections(actor)
    assert _sections(q) == [("保洁", 1), ("总体", 2), ("绿化", 3)]
    services.section_move(actor_user=actor, section=third, direction="up")
    assert _sections(q) == [("保洁", 1), ("绿化", 2), ("总体", 3)]
    services.section_move(actor_user=actor, section=first, direction="down")
    assert _sections(q) == [("绿化", 1), ("保洁", 2), ("总体", 3)]
    # questions go with their section, in their order
    assert _order(first) == [("A", 1), ("B", 2), ("C", 3), ("D", 4)]
    assert [x.text for x in selectors.questions_of(q)] == ["F", "A", "B", "C", "D", "E"]

    services.section_delete(actor_user=actor, section=first)  # the middle one, with its four questions
    assert _sections(q) == [("绿化", 1), ("总体", 2)]
    assert not Question.objects.filter(text__in="ABCD").exists()
    assert _order(second) == [("E", 1)] and _order(third) == [("F", 1)]
    services.section_delete(actor_user=actor, section=third)  # tied to a service item: the item stays
    assert _sections(q) == [("总体", 1)]
    assert ServiceItem.objects.filter(code="greenery").exists()
    services.section_delete(actor_user=actor, section=second)
    assert _sections(q) == [] and not Question.objects.exists()


def test_section_gaps_left_by_older_data_close_up_on_the_next_change(cast):
    actor = cast["supervisor"]
    q, first, second, third = _three_sections(actor)
    Section.objects.filter(pk=first.pk).update(position=5)
    Section.objects.filter(pk=second.pk).update(position=5)
    Section.objects.filter(pk=third.pk).update(position=0)
    services.section_move(actor_user=actor, section=second, direction="up")  # ties: 保洁 (lower id) came first
    assert _sections(q) == [("绿化", 1), ("总体", 2), ("保洁", 3)]


def test_section_refusals_name_why_and_write_nothing(cast):
    actor = cast["supervisor"]
    q, first, second, third = _three_sections(actor)
    before = _everything()
    for section, direction in ((first, "up"), (third, "down"), (second, "left"), (second, "")):
        with pytest.raises(InvalidInput) as error:
            services.section_move(actor_user=actor, section=section, direction=direction)
        assert list(error.value.fields) == ["direction"], direction
    with pytest.raises(InvalidInput) as error:
        services.section_move(actor_user=actor, section=first, direction="up")
    assert error.value.message == "方向：这已是第一个部分。"
    with pytest.raises(InvalidInput) as error:
        services.section_move(actor_user=actor, section=third, direction="down")
    assert error.value.message == "方向：这已是最后一个部分。"
    for role in ("agent", "clerk", "qa", "technician"):
        with pytest.raises(NotAllowed):
            services.section_move(actor_user=cast[role], section=second, direction="up")
        with pytest.raises(NotAllowed):
            services.section_delete(actor_user=cast[role], section=second)
    assert _everything() == before

    services.questionnaire_publish(actor_user=actor, questionnaire=q)
    with pytest.raises(Conflict) as error:
        services.section_move(actor_user=actor, section=second, direction="up")
    assert error.value.status_code == 409
    assert error.value.message == "此版本问卷已发布，不能再修改；请建立新版本。"
    with pytest.raises(Conflict):
        services.section_delete(actor_user=actor, section=second)
    assert _everything() == before


def test_a_section_with_answers_is_never_deleted(cast):
    actor = cast["supervisor"]
    campaign = make_campaign(actor=actor, units=2)
    services.response_submit(invitation=campaign.invitations.first(), channel="paper",
                             answers=answers_for(campaign, 4))
    section = Section.objects.filter(questionnaire=campaign.questionnaire).order_by("position")[1]
    before, answers = _everything(), list(Answer.objects.order_by("id").values_list("id", "question_id", "score"))
    with pytest.raises(Conflict):
        services.section_delete(actor_user=actor, section=section)
    Questionnaire.objects.filter(pk=campaign.questionnaire_id).update(status="draft")  # behind the services' back
    with pytest.raises(Conflict) as error:
        services.section_delete(actor_user=actor, section=section)
    assert error.value.message == "此部分的问题已有答卷，不能删除；请建立新版本。"
    assert _everything() == before
    assert list(Answer.objects.order_by("id").values_list("id", "question_id", "score")) == answers


def test_builder_moves_and_deletes_sections_over_htmx(cast):
    q, first, second, third = _three_sections(cast["supervisor"])
    url = reverse("surveys:questionnaire", args=[q.pk])
    client = _client(cast["supervisor"])
    page = client.get(url).content.decode()
    assert page.count("kefu-section-up") == 3 and page.count("kefu-delete-section") == 3
    assert page.count('id="id_q_section"') == 1 and "hx-swap-oob" not in page

    moved = client.post(url, {"op": "section_move", "section": third.pk, "direction": "up"}, HTTP_HX_REQUEST="true")
    assert moved.status_code == 200
    html = moved.content.decode()
    assert html.lstrip().startswith('<div id="builder-sections">') and "<html" not in html
    assert html.index(">绿化<") < html.index(">总体<")
    # the "add a question" form's section list follows, out of band
    select = html[html.index('<select class="form-select" name="section" id="id_q_section" hx-swap-oob="true">'):]
    assert select.index(">绿化<") < select.index(">总体<")
    assert _sections(q) == [("保洁", 1), ("绿化", 2), ("总体", 3)]

    deleted = client.post(url, {"op": "section_delete", "section": first.pk}, HTTP_HX_REQUEST="true")
    assert deleted.status_code == 200
    html = deleted.content.decode()
    assert ">保洁<" not in html and ">A<" not in html and f'<option value="{first.pk}">' not in html
    assert _sections(q) == [("绿化", 1), ("总体", 2)]
    # without htmx: back to the page
    plain = client.post(url, {"op": "section_move", "section": second.pk, "direction": "up"})
    assert plain.status_code == 302 and plain["Location"] == url
    assert _sections(q) == [("总体", 1), ("绿化", 2)]
    plain = client.post(url, {"op": "section_delete", "section": third.pk})
    assert plain.status_code == 302 and plain["Location"] == url
    assert _sections(q) == [("总体", 1)] and _order(second) == [("E", 1)]


def test_builder_section_refusals_name_the_field_and_write_nothing(cast):
    q, first, _second, third = _three_sections(cast["supervisor"])
    other = _draft_other(cast["supervisor"])
    url = reverse("surveys:questionnaire", args=[q.pk])
    client = _client(cast["supervisor"])
    before = _everything()
    sideways = client.post(url, {"op": "section_move", "section": first.pk, "direction": "sideways"},
                           HTTP_HX_REQUEST="true")
    assert sideways.status_code == 400 and "方向：只能上移或下移。" in sideways.content.decode()
    last = client.post(url, {"op": "section_move", "section": third.pk, "direction": "down"}, HTTP_HX_REQUEST="true")
    assert last.status_code == 400 and "方向：这已是最后一个部分。" in last.content.decode()
    foreign = client.post(url, {"op": "section_delete", "section": other.pk}, HTTP_HX_REQUEST="true")
    assert foreign.status_code == 400 and 'id="question-error"' in foreign.content.decode()
    assert "部分：此问卷中没有该部分。" in foreign.content.decode()
    for garbage in ("x", "9" * 30, "", "١", "-1"):
        refused = client.post(url, {"op": "section_delete", "section": garbage}, HTTP_HX_REQUEST="true")
        assert refused.status_code == 400, garbage
        refused = client.post(url, {"op": "section_move", "section": garbage, "direction": "up"})
        assert refused.status_code == 400, garbage
        assert "部分：此问卷中没有该部分。" in refused.content.decode()
    plain = client.post(url, {"op": "section_move", "section": first.pk, "direction": "left"})
    assert plain.status_code == 400 and 'id="form-error"' in plain.content.decode()
    assert _client(cast["clerk"]).post(url, {"op": "section_delete", "section": first.pk}).status_code == 403
    services.questionnaire_publish(actor_user=cast["supervisor"], questionnaire=q)
    before = _everything()
    frozen = client.post(url, {"op": "section_delete", "section": first.pk}, HTTP_HX_REQUEST="true")
    assert frozen.status_code == 409
    html = frozen.content.decode()
    assert "此版本问卷已发布，不能再修改；请建立新版本。" in html and "kefu-delete-section" not in html
    assert "hx-swap-oob" not in html
    plain = client.post(url, {"op": "section_move", "section": third.pk, "direction": "up"})
    assert plain.status_code == 409 and 'id="form-error"' in plain.content.decode()
    assert _everything() == before


def test_builder_page_query_budget(cast, django_assert_max_num_queries):
    q, *_sections_ = _three_sections(cast["supervisor"])
    url = reverse("surveys:questionnaire", args=[q.pk])
    client = _client(cast["supervisor"])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.post(url, {"op": "section_move", "section": _sections_[2].pk, "direction": "up"},
                           HTTP_HX_REQUEST="true").status_code == 200


# --- the Django admin ------------------------------------------------------------------------------

QUESTIONS = "/admin/surveys/question/"
QUESTIONNAIRES = "/admin/surveys/questionnaire/"


def _admin(cast) -> Client:
    return _client(cast["administrator"])


def test_admin_deletes_a_draft_question_through_the_service(cast):
    _q, first, _second = _draft(cast["supervisor"])
    client = _admin(cast)
    b = _question(first, "B")
    assert client.get(f"{QUESTIONS}{b.pk}/delete/").status_code == 200
    response = client.post(f"{QUESTIONS}{b.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _order(first) == [("A", 1), ("C", 2), ("D", 3)]
    bulk = client.post(QUESTIONS, {"action": "delete_selected", "post": "yes",
                                   "_selected_action": [_question(first, "A").pk, _question(first, "D").pk]})
    assert bulk.status_code == 302
    assert _order(first) == [("C", 1)]


def test_admin_never_deletes_or_changes_a_published_questionnaires_questions(cast):
    q, first, second = _draft(cast["supervisor"])
    draft_q, draft_first, _draft_second = _draft_other_full(cast["supervisor"])
    services.questionnaire_publish(actor_user=cast["supervisor"], questionnaire=q)
    client = _admin(cast)
    before = _everything()
    b = _question(first, "B")
    assert client.get(f"{QUESTIONS}{b.pk}/delete/").status_code == 403
    assert client.post(f"{QUESTIONS}{b.pk}/delete/", {"post": "yes"}).status_code == 403
    # the "delete selected" action with one published question among drafts' deletes none of them
    bulk = client.post(QUESTIONS, {"action": "delete_selected", "post": "yes",
                                   "_selected_action": [b.pk, _question(draft_first, "X").pk]})
    assert bulk.status_code == 403
    assert _everything() == before
    # the add form offers the drafts' sections only
    form = client.get(f"{QUESTIONS}add/")
    choices = {c for c, _label in form.context["adminform"].form.fields["section"].choices if c}
    assert {int(str(c)) for c in choices} == set(Section.objects.filter(questionnaire=draft_q)
                                                  .values_list("pk", flat=True))
    added = client.post(f"{QUESTIONS}add/", {"section": second.pk, "kind": "text", "text": "偷加", "options": "[]",
                                              "position": 9})
    assert added.status_code == 200 and "section" in added.context["adminform"].form.errors
    assert _everything() == before


def _draft_other_full(actor):
    q = services.questionnaire_create(actor_user=actor, code="other2", title="另一份")
    first = services.section_add(actor_user=actor, questionnaire=q, title="甲")
    second = services.section_add(actor_user=actor, questionnaire=q, title="乙")
    third = services.section_add(actor_user=actor, questionnaire=q, title="丙")
    services.question_add(actor_user=actor, section=first, kind="text", text="X", required=False)
    services.question_add(actor_user=actor, section=second, kind="text", text="Y", required=False)
    return q, first, (second, third)


def _questionnaire_form(q, *, delete=()) -> dict:
    sections = list(Section.objects.filter(questionnaire=q).order_by("position", "id"))
    data = {"code": q.code, "version": q.version, "title": q.title, "title_en": q.title_en, "intro": q.intro,
            "intro_en": q.intro_en, "status": q.status, "published_at_0": "", "published_at_1": "",
            "sections-TOTAL_FORMS": len(sections), "sections-INITIAL_FORMS": len(sections),
            "sections-MIN_NUM_FORMS": 0, "sections-MAX_NUM_FORMS": 1000}
    for i, s in enumerate(sections):
        data.update({f"sections-{i}-id": s.pk, f"sections-{i}-questionnaire": q.pk,
                     f"sections-{i}-position": s.position, f"sections-{i}-item": s.item_id or "",
                     f"sections-{i}-title": s.title, f"sections-{i}-title_en": s.title_en})
        if s.pk in delete:
            data[f"sections-{i}-DELETE"] = "on"
    return data


def test_admin_deletes_a_draft_section_through_the_service(cast):
    q, first, (second, third) = _draft_other_full(cast["supervisor"])
    client = _admin(cast)
    response = client.post(f"{QUESTIONNAIRES}{q.pk}/change/", _questionnaire_form(q, delete={first.pk}))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert _sections(q) == [("乙", 1), ("丙", 2)]
    assert not Question.objects.filter(text="X").exists() and _order(second) == [("Y", 1)]


def test_admin_never_deletes_a_published_questionnaires_sections(cast):
    q, first, _rest = _draft_other_full(cast["supervisor"])
    services.questionnaire_publish(actor_user=cast["supervisor"], questionnaire=q)
    client = _admin(cast)
    before = _everything()
    page = client.get(f"{QUESTIONNAIRES}{q.pk}/change/")
    assert page.status_code == 200 and "sections-0-DELETE" not in page.content.decode()
    response = client.post(f"{QUESTIONNAIRES}{q.pk}/change/", _questionnaire_form(q, delete={first.pk}))
    assert response.status_code == 403
    assert _everything() == before
