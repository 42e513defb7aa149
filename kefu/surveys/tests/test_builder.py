"""The questionnaire builder: questions move up and down within their section and are deleted,
only while the questionnaire is a draft; positions stay 1…n."""

import pytest
from django.test import Client
from django.urls import reverse

from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.surveys import selectors, services
from kefu.surveys.models import Answer, Question, Questionnaire
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
