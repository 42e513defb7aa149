"""Site navigation: the navbar's entries come from kefu.workspace.navigation, each shown only to
the roles that may use its page, the current app's entry marked active."""

import pytest
from django.urls import reverse

from kefu.org.selectors import actor_for_user
from kefu.workspace.navigation import NAV_ITEMS, nav_for

pytestmark = pytest.mark.django_db

ALWAYS = ["nav-reports", "nav-queue", "nav-customers", "nav-frontdesk", "nav-corrective-actions", "nav-surveys",
          "nav-inbound", "nav-callbacks"]
TAIL = ["nav-patrols", "nav-repairs", "nav-vendors", "nav-standards", "nav-quality", "nav-kpi", "nav-notices"]


def _ids(entries):
    return [e["id"] for e in entries]


@pytest.mark.parametrize(("role", "intake", "data"), [
    ("agent", True, []),
    ("technician", True, []),
    ("vendor", False, []),
    ("steward", True, []),
    ("supervisor", True, ["nav-duplicates"]),
    ("qa", False, ["nav-access-log"]),
    ("administrator", True, ["nav-import", "nav-duplicates", "nav-access-log"]),
])
def test_each_role_sees_the_entries_of_the_pages_it_may_use(cast, role, intake, data):
    entries = nav_for(actor_for_user(cast[role]))
    expected = ALWAYS[:2] + (["nav-intake"] if intake else []) + ALWAYS[2:] + (["nav-data"] if data else []) + TAIL
    assert _ids(entries) == expected
    dropdown = [e for e in entries if e["id"] == "nav-data"]
    assert (_ids(dropdown[0]["children"]) if dropdown else []) == data


def test_not_staff_sees_only_the_entries_open_to_everyone():
    assert _ids(nav_for(None)) == ALWAYS + TAIL


def test_the_current_app_or_page_is_active(cast):
    actor = actor_for_user(cast["administrator"])
    active = [e["id"] for e in nav_for(actor, app_name="exchange", url_name="import_list") if e["active"]]
    assert active == ["nav-data"]
    active = [e["id"] for e in nav_for(actor, app_name="workorders", url_name="intake") if e["active"]]
    assert active == ["nav-intake"]
    assert [e for e in nav_for(actor, app_name="", url_name="") if e["active"]] == []


def test_every_entry_links_to_a_page_that_exists():
    for item in NAV_ITEMS:
        for entry in (item, *item.children):
            if entry.url_name:
                assert reverse(entry.url_name).startswith("/")


def test_pages_draw_the_navbar_from_the_list(client, cast):
    client.force_login(cast["supervisor"])
    html = client.get(reverse("customers:list")).content.decode()
    for nav_id in ["nav-reports", "nav-queue", "nav-intake", "nav-customers", "nav-data", "nav-duplicates", "nav-kpi"]:
        assert f'id="{nav_id}"' in html
    assert 'id="nav-import"' not in html and 'id="nav-access-log"' not in html
    assert f'<a class="nav-link active" href="{reverse("customers:list")}" id="nav-customers">' in html
    assert f'href="{reverse("improvement:list")}" id="nav-corrective-actions"' in html


def test_the_navbar_is_in_the_users_language(client, cast):
    client.force_login(cast["agent"])
    html = client.get(reverse("workorders:queue"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "客户</a>" in html
    client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("workorders:queue")).content.decode()
    assert "Customers</a>" in html and 'id="nav-intake"' in html
