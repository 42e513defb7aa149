"""Notification preferences: the service (validation before any write), the page (the user's own,
exact values saved, bad input saves nothing, SMS/WeChat labelled log only) and the API."""

import pytest
from django.utils import translation

from kefu.core.errors import InvalidInput
from kefu.notifications.models import NotificationPreference
from kefu.notifications.services import notification_preference_update

pytestmark = pytest.mark.django_db

URL = "/notifications/preferences/"
API = "/api/v1/notification-preferences/me/"


def _saved(user):
    pref = NotificationPreference.objects.get(user=user)
    return (pref.email_enabled, pref.email_actions, pref.sms_enabled, pref.wechat_enabled)


def _update(user, **overrides):
    values = {"email_enabled": True, "email_actions": ["escalate"], "sms_enabled": False, "wechat_enabled": False}
    values.update(overrides)
    return notification_preference_update(user=user, **values)


# --- the service -------------------------------------------------------------------------------

@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_service_saves_exact_values_once_each_in_a_stable_order(cast):
    pref = _update(cast["agent"], email_enabled=False, email_actions=["comment", "escalate", "comment"],
                   sms_enabled=True, wechat_enabled=False)
    assert pref.pk is not None
    assert _saved(cast["agent"]) == (False, ["escalate", "comment"], True, False)
    # a second save replaces the row, never adds one
    _update(cast["agent"], email_actions=[], wechat_enabled=True)
    assert _saved(cast["agent"]) == (True, [], False, True)
    assert NotificationPreference.objects.count() == 1


@pytest.mark.parametrize("actions", [["create"], ["close"], ["explode"], ["escalate", "attach"]])
def test_service_rejects_events_that_never_go_out(english, cast, actions):
    # create/close/attach are real actions but notify nobody: ticking them could never send anything
    with pytest.raises(InvalidInput) as excinfo:
        _update(cast["agent"], email_actions=actions)
    bad = [a for a in actions if a != "escalate"][0]
    assert excinfo.value.fields == {"email_actions": [f"Unknown event: {bad}"]}
    assert excinfo.value.status_code == 400
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("field, value", [("email_enabled", "yes"), ("sms_enabled", None), ("wechat_enabled", 1)])
def test_service_rejects_non_booleans(english, cast, field, value):
    with pytest.raises(InvalidInput) as excinfo:
        _update(cast["agent"], **{field: value})
    assert excinfo.value.fields == {field: ["Must be true or false."]}
    assert excinfo.value.message == f"Invalid input: {field}: Must be true or false."
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("value", ["escalate", None, [1], [["escalate"]]])
def test_service_rejects_anything_but_a_list_of_names(english, cast, value):
    _update(cast["agent"])
    with pytest.raises(InvalidInput) as excinfo:
        _update(cast["agent"], email_actions=value, sms_enabled=True)
    assert excinfo.value.fields == {"email_actions": ["Must be a list of events."]}
    assert _saved(cast["agent"]) == (True, ["escalate"], False, False)  # unchanged


def test_service_reports_every_bad_field_at_once(cast):
    with pytest.raises(InvalidInput) as excinfo:
        notification_preference_update(user=cast["agent"], email_enabled="x", email_actions=["nope"],
                                       sms_enabled=True, wechat_enabled="y")
    assert sorted(excinfo.value.fields) == ["email_actions", "email_enabled", "wechat_enabled"]


# --- the page ----------------------------------------------------------------------------------

def test_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post(URL, {"email_enabled": "on"}).status_code == 302
    assert not NotificationPreference.objects.exists()


def test_page_shows_the_defaults_before_anything_is_saved(client, cast):
    client.force_login(cast["agent"])
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["email_enabled"].value() is True
    assert form["email_actions"].value() == ["escalate", "dispatch", "submit_plan"]
    assert (form["sms_enabled"].value(), form["wechat_enabled"].value()) == (False, False)
    assert not NotificationPreference.objects.exists()  # reading writes nothing


def test_page_says_sms_and_wechat_are_log_only_in_chinese(client, cast):
    client.force_login(cast["agent"])
    html = client.get(URL).content.decode()
    assert html.count("仅记录，不实际发送") == 2
    assert html.count("LogOnlyAdapter") == 2
    assert 'id="sms-log-only"' in html and 'id="wechat-log-only"' in html
    assert "通知偏好设置" in html


def test_page_says_log_only_in_english(client, cast):
    cast["agent"].staff.language = "en"
    cast["agent"].staff.save()
    client.force_login(cast["agent"])
    html = client.get(URL).content.decode()
    assert html.count("Log only — not sent") == 2
    assert "Notification preferences" in html


def test_page_shows_where_messages_would_go(client, cast):
    user = cast["agent"]
    user.email = "agent@example.com"
    user.save()
    user.staff.phone = "13900001234"
    user.staff.save()
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert "agent@example.com" in html
    assert "13900001234" in html  # agents may see phone numbers in full


def test_page_masks_the_phone_for_roles_without_personal_data_access(client, cast):
    user = cast["qa"]
    user.staff.phone = "13900001234"
    user.staff.save()
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert "139****1234" in html and "13900001234" not in html


def test_page_warns_when_there_is_nowhere_to_send(client, cast):
    cast["agent"].staff.language = "en"
    cast["agent"].staff.save()
    client.force_login(cast["agent"])
    html = client.get(URL).content.decode()
    assert "No email address on your account: nothing will be emailed." in html
    assert "No phone number on your staff record" in html


def test_post_saves_exact_values(client, cast):
    client.force_login(cast["supervisor"])
    response = client.post(URL, {"email_actions": ["hold", "escalate"], "sms_enabled": "on"})
    assert response.status_code == 302 and response["Location"] == URL
    assert _saved(cast["supervisor"]) == (False, ["escalate", "hold"], True, False)
    page = client.get(URL)
    assert [str(m) for m in page.context["messages"]] == ["通知偏好设置已保存。"]
    form = page.context["form"]
    assert (form["email_enabled"].value(), form["email_actions"].value(), form["sms_enabled"].value()) == (
        False, ["escalate", "hold"], True)


def test_post_of_nothing_switches_everything_off(client, cast):
    _update(cast["supervisor"], sms_enabled=True, wechat_enabled=True)
    client.force_login(cast["supervisor"])
    assert client.post(URL, {}).status_code == 302
    assert _saved(cast["supervisor"]) == (False, [], False, False)


def test_post_changes_only_the_signed_in_users_preferences(client, cast):
    _update(cast["manager"], email_actions=["dispatch"])
    client.force_login(cast["supervisor"])
    client.post(URL, {"email_enabled": "on", "email_actions": ["comment"], "user": cast["manager"].pk})
    assert _saved(cast["manager"]) == (True, ["dispatch"], False, False)
    assert _saved(cast["supervisor"]) == (True, ["comment"], False, False)


def test_post_with_an_unknown_event_marks_the_field_and_saves_nothing(client, cast):
    _update(cast["supervisor"])
    client.force_login(cast["supervisor"])
    response = client.post(URL, {"email_enabled": "on", "email_actions": ["escalate", "create"],
                                 "wechat_enabled": "on"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"email_actions": ["选择一个有效的选项。 create 不在可用的选项中。"]}
    html = response.content.decode()
    assert "is-invalid" in html and "invalid-feedback" in html
    assert _saved(cast["supervisor"]) == (True, ["escalate"], False, False)


def test_get_only_or_post(client, cast):
    client.force_login(cast["agent"])
    assert client.put(URL).status_code == 405
    assert not NotificationPreference.objects.exists()


def test_links_from_the_user_menu_and_the_notification_centre(client, cast):
    client.force_login(cast["agent"])
    assert 'id="nav-notification-preferences"' in client.get("/work-orders/").content.decode()
    assert f'href="{URL}"' in client.get("/notifications/").content.decode()


# --- the API -----------------------------------------------------------------------------------

def test_api_get_shows_defaults_and_the_adapters(api, cast):
    response = api(cast["agent"]).get(API)
    assert response.status_code == 200
    assert response.json() == {
        "email_enabled": True, "email_actions": ["escalate", "dispatch", "submit_plan"], "sms_enabled": False,
        "wechat_enabled": False, "channels": [
            {"channel": "email", "adapter": "EmailAdapter", "delivers": True},
            {"channel": "sms", "adapter": "LogOnlyAdapter", "delivers": False},
            {"channel": "wechat", "adapter": "LogOnlyAdapter", "delivers": False}]}
    assert not NotificationPreference.objects.exists()


def test_api_put_replaces_and_patch_changes_some(api, cast):
    client = api(cast["technician"])
    response = client.put(API, {"email_enabled": False, "email_actions": ["reopen", "dispatch"],
                                "sms_enabled": True, "wechat_enabled": False})
    assert response.status_code == 200
    assert response.json()["email_actions"] == ["dispatch", "reopen"]
    assert _saved(cast["technician"]) == (False, ["dispatch", "reopen"], True, False)
    response = client.patch(API, {"wechat_enabled": True})
    assert response.status_code == 200
    assert _saved(cast["technician"]) == (False, ["dispatch", "reopen"], True, True)


def test_api_put_needs_every_field(api, cast):
    response = api(cast["technician"]).put(API, {"email_enabled": False})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert sorted(body["fields"]) == ["email_actions", "sms_enabled", "wechat_enabled"]
    assert not NotificationPreference.objects.exists()


def test_api_rejects_unknown_events_with_the_field_named(api, cast):
    _update(cast["technician"])
    response = api(cast["technician"]).patch(API, {"email_actions": ["escalate", "explode"]},
                                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": "Invalid input: email_actions: Unknown event: explode",
                               "fields": {"email_actions": ["Unknown event: explode"]}}
    assert _saved(cast["technician"]) == (True, ["escalate"], False, False)


@pytest.mark.parametrize("payload", [{"email_enabled": "maybe"}, {"email_actions": "escalate"},
                                     {"email_actions": [{"a": 1}]}, {"sms_enabled": None}])
def test_api_rejects_malformed_input(api, cast, payload):
    _update(cast["technician"])
    response = api(cast["technician"]).patch(API, payload)
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "fields"}
    assert list(response.json()["fields"])[0].split(".")[0] == next(iter(payload))
    assert _saved(cast["technician"]) == (True, ["escalate"], False, False)


def test_api_is_for_staff_only(api, cast):
    assert api().get(API).status_code in (401, 403)
    assert api().put(API, {}).status_code in (401, 403)
    assert not NotificationPreference.objects.exists()


def test_page_query_budget(client, cast, django_assert_max_num_queries):
    _update(cast["agent"])
    client.force_login(cast["agent"])
    # 9, and one read per channel (SMS, WeChat) of whether a provider account sends it for real
    with django_assert_max_num_queries(11):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.post(URL, {"email_actions": ["escalate"]}).status_code == 302
