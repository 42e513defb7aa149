"""Security headers on every page and the API (issue #15): a CSP without inline script, the
Referrer-Policy and Permissions-Policy; and no template brings inline script back."""

import re
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def _directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.parametrize("path", ["/login/", "/work-orders/", "/api/v1/work-orders/", "/no-such-page/"],
                         ids=["login", "queue", "api", "not_found"])
def test_headers(cast, path):
    client = Client()
    client.force_login(cast["supervisor"])
    response = client.get(path)
    assert _directives(response["Content-Security-Policy"]) == _directives(CSP)
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                                              "interest-cohort=()")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def test_no_template_has_inline_script_or_event_handlers():
    """The CSP would block them in the browser: put the code in static/js/ (see static/js/kefu.js's
    data-kefu-autosubmit / data-kefu-print for the usual cases)."""
    offenders = []
    for template in sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("kefu/*/templates/**/*.html")]):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            offenders += [f"{template.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


def test_api_docs_need_a_login_unless_public(cast, settings):
    assert settings.KEFU_API_DOCS_PUBLIC is False  # tests run with KEFU_DEBUG off, like production
    client = Client()
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
    client.force_login(cast["agent"])
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert not INLINE_SCRIPT.search(docs.content.decode())


def test_every_operation_documents_its_error_answers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message", "fields"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            expected = {"400", "401", "403", "404", "429"} | ({"409"} if method != "get" else set())
            assert expected <= set(operation["responses"]), (method, path)


def test_order_sub_lists_are_documented_as_arrays():
    """They answer a plain array; the schema said a page (found by the schemathesis run)."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for name in ("events", "clocks", "attachments"):
        ok = paths[f"/api/v1/work-orders/{{id}}/{name}/"]["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"]["type"] == "array", name
