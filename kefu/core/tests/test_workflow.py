"""The kernel's transition table and the one refusal → error mapping, without a database."""

import pytest

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.core.workflow import (
    Refusal,
    Table,
    Transition,
    concurrent_change,
    refusal_error,
    required_fields_error,
)

TABLE = Table(
    Transition("submit", {"draft"}, "submitted", {"clerk", "supervisor"}, ("title",)),
    Transition("approve", {"submitted"}, "approved", {"supervisor"}),
    Transition("comment", {"draft", "submitted", "approved"}, None, {"clerk", "supervisor"}, ("body",)),
)


def test_a_table_refuses_an_action_listed_twice():
    with pytest.raises(ValueError, match="twice"):
        Table(Transition("a", {"x"}, "y", {"r"}), Transition("a", {"y"}, "z", {"r"}))


@pytest.mark.parametrize(("action", "status", "role", "expected"), [
    ("submit", "draft", "clerk", None),
    ("submit", "submitted", "clerk", Refusal.STATE),
    ("approve", "submitted", "clerk", Refusal.ROLE),
    # the role is checked before the state: a role that may never act learns nothing of the state
    ("approve", "draft", "clerk", Refusal.ROLE),
    ("delete", "draft", "supervisor", Refusal.UNKNOWN_ACTION),
])
def test_check(action, status, role, expected):
    assert TABLE.check(action=action, status=status, role=role) is expected


def test_target_status_names_and_allowed():
    assert TABLE.target_status(action="submit", status="draft") == "submitted"
    assert TABLE.target_status(action="comment", status="approved") == "approved"
    assert TABLE.names == ("submit", "approve", "comment")
    assert "approve" in TABLE and "delete" not in TABLE
    assert TABLE.allowed(status="submitted", role="supervisor") == ["approve", "comment"]
    assert TABLE.allowed(status="submitted", role="clerk") == ["comment"]


def test_missing_fields_treat_blank_text_as_missing():
    assert TABLE.missing_fields(action="submit", data={"title": "  "}) == ["title"]
    assert TABLE.missing_fields(action="submit", data={"title": "漏水"}) == []
    assert TABLE.missing_fields(action="comment", data={"body": None}) == ["body"]
    assert TABLE.missing_fields(action="approve", data={}) == []


def test_refusals_map_to_the_shared_codes(settings):
    settings.LANGUAGE_CODE = "en"
    kwargs = {"action": "approve", "action_label": "Approve", "status_label": "Draft", "subject": "pass"}
    unknown = refusal_error(Refusal.UNKNOWN_ACTION, **kwargs)
    role = refusal_error(Refusal.ROLE, **kwargs)
    state = refusal_error(Refusal.STATE, **kwargs)
    assert (type(unknown), unknown.status_code, unknown.code) == (NotFound, 404, "unknown_action")
    assert (type(role), role.status_code, role.code) == (NotAllowed, 403, "role_not_allowed")
    assert (type(state), state.status_code, state.code) == (Conflict, 409, "invalid_transition")
    assert role.message == "Your role may not take the action “Approve” on this pass."
    assert state.message == "The action “Approve” is not possible while the pass is “Draft”."
    changed = concurrent_change("pass")
    assert (changed.status_code, changed.code, changed.message) == (
        409, "concurrent_change", "Someone else changed this pass; reload it and try again.")


def test_required_fields_error_names_every_field():
    error = required_fields_error(["title", "body"])
    assert (type(error), error.status_code, error.code) == (InvalidInput, 400, "required")
    assert sorted(error.fields) == ["body", "title"]


def test_missing_fields_treat_empty_collections_as_missing():
    table = Table(Transition("score", {"pending"}, "scored", {"qa"}, ("scores",)))
    assert table.missing_fields(action="score", data={"scores": {}}) == ["scores"]
    assert table.missing_fields(action="score", data={"scores": []}) == ["scores"]
    assert table.missing_fields(action="score", data={"scores": {"a": 0}}) == []
    assert table.missing_fields(action="score", data={"scores": 0}) == []


def test_the_kernel_speaks_chinese():
    from django.utils import translation

    kwargs = {"action": "approve", "action_label": "批准", "status_label": "草稿", "subject": "通行证"}
    with translation.override("zh-hans"):
        role = refusal_error(Refusal.ROLE, **kwargs)
        state = refusal_error(Refusal.STATE, **kwargs)
        changed = concurrent_change("通行证")
        required = required_fields_error(["title"])
    assert role.message == "您的角色不能对此通行证执行“批准”。"
    assert state.message == "通行证处于“草稿”时不能执行“批准”。"
    assert changed.message == "此通行证已被他人修改，请刷新后重试。"
    assert required.message == "此项为必填项：title"
