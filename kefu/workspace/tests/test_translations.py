"""No untranslated strings: walk every staff page with the demo data, in Chinese and in English,
and fail on a msgid that the Chinese catalogue does not translate (or on a server error).

How a miss is caught: while the walk runs, Django's gettext functions are wrapped; each msgid looked
up in zh-hans that is not in the merged catalogue (Django's, the apps', the project's) is recorded
with the page that asked for it. A msgid whose Chinese is the same text (an acronym) is in the
catalogue, so it counts as translated; an empty or fuzzy msgstr is not (msgfmt leaves it out).

The pages: every named URL that reverses without arguments, then every link those pages show
(same site, GET, HTML), breadth first, a few URLs per route; as the administrator and as the people
whose pages differ (agent, supervisor, technician, QA, manager, steward, vendor). The Django admin and
the API are left to their own tests (the admin's strings are Django's), except the calendar editor.
"""

import re
from collections import deque
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation
from django.utils.translation import trans_real

pytestmark = pytest.mark.django_db

USERS = ["admin", "agent", "supervisor", "tech", "qa", "manager", "steward", "vendor", "clerk"]
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/api/", "/logout/", "/i18n/", "/language/", "/favicon.ico")
# Downloads and one-time public links (a rating link is spent by opening it? no, but it needs a token
# that only the customer's message holds): the walk follows what the pages link to.
SKIP_NAMES = {"logout", "set_language"}
PER_ROUTE = 2  # URLs per route: a list and one tab of it, a detail page and another
MAX_PAGES = 700
HREF = re.compile(r'href="(/[^"#]*)"')
EXTRA = ["/admin/sla/workcalendar/add/"]  # the calendar editor (kefu.sla.forms), in the admin


def _named_patterns(resolver: URLResolver, namespace: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            yield from _named_patterns(p, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def _start_urls() -> list[str]:
    urls = []
    for name in sorted(set(_named_patterns(get_resolver()))):
        if name.split(":")[-1] in SKIP_NAMES or name.startswith("admin:"):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if not url.startswith(SKIP_PREFIXES):
            urls.append(url)
    return urls


class Misses:
    """Records the msgids looked up in zh-hans that the catalogue lacks, with the page asking."""

    def __init__(self):
        self.page = ""
        self.found: dict[str, str] = {}

    def _catalog(self):
        language = translation.get_language()
        if not language or not language.startswith("zh"):
            return None
        return trans_real.translation(language)._catalog

    def check(self, key, shown: str):
        catalog = self._catalog()
        if catalog is None or not re.search(r"[A-Za-z]{2}", shown):
            return
        if key not in catalog:
            self.found.setdefault(shown, self.page)

    def install(self, monkeypatch):
        gettext, ngettext = trans_real.gettext, trans_real.ngettext

        def checked_gettext(message):
            if message:
                key = message.replace("\r\n", "\n").replace("\r", "\n")
                self.check(key, key.replace(trans_real.CONTEXT_SEPARATOR, " | "))
            return gettext(message)

        def checked_ngettext(singular, plural, number):
            self.check((singular, 0), singular.replace(trans_real.CONTEXT_SEPARATOR, " | "))
            return ngettext(singular, plural, number)

        # pgettext and npgettext call these two (with "context\x04msgid"), so they are covered;
        # django.utils.translation keeps its own reference to each once used (`_trans`).
        for target in (trans_real, translation._trans):
            monkeypatch.setattr(target, "gettext", checked_gettext)
            monkeypatch.setattr(target, "ngettext", checked_ngettext)


def _walk(client: Client, misses: Misses, seen_routes: dict, language: str, errors: list, budget: list) -> None:
    queue = deque([*_start_urls(), *EXTRA])
    visited = set()
    while queue and budget[0] > 0:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        path = urlsplit(url).path
        try:
            match = resolve(path)
        except Resolver404:
            continue
        route = (language, match.route, match.url_name)
        if seen_routes.get(route, 0) >= PER_ROUTE:
            continue
        seen_routes[route] = seen_routes.get(route, 0) + 1
        budget[0] -= 1
        misses.page = url
        try:
            response = client.get(url)
        except Exception as exc:  # a page that raises is a failure to report, with the others
            errors.append(f"{url}: {type(exc).__name__}: {exc}")
            continue
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = unescape(href)
            if not href.startswith(SKIP_PREFIXES) and href not in visited:
                queue.append(href)


def test_every_staff_page_is_translated(monkeypatch):
    from django.contrib.auth import get_user_model

    call_command("demo_data", orders=30, customers=30, stdout=open("/dev/null", "w"))  # noqa: SIM115
    users = get_user_model().objects.in_bulk(USERS, field_name="username")
    misses = Misses()
    misses.install(monkeypatch)
    # the recorder itself: a msgid no catalogue has is caught, a translated one is not
    with translation.override("zh-hans"):
        assert translation.gettext("Queues") != "Queues"
        translation.gettext("A msgid no catalogue holds")
        translation.pgettext("walk", "Another msgid no catalogue holds")
    assert set(misses.found) == {"A msgid no catalogue holds", "walk | Another msgid no catalogue holds"}
    misses.found.clear()
    errors: list[str] = []
    seen_routes: dict = {}
    budget = [MAX_PAGES]
    for language in ("zh-hans", "en"):
        for username in USERS:
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.force_login(users[username])
            staff = users[username].staff
            staff.language = language
            staff.save(update_fields=["language"])
            client.cookies["django_language"] = language
            _walk(client, misses, seen_routes, language, errors, budget)
    pages = sum(seen_routes.values())
    assert pages > 150, pages  # the walk reached the site, not just the start pages
    assert not errors, "\n".join(errors)
    assert not misses.found, "untranslated msgids (zh-hans):\n" + "\n".join(
        f"  {msgid!r}  ← {page}" for msgid, page in sorted(misses.found.items()))
