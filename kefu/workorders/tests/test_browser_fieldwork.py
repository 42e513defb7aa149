"""A real browser (Debian's Chromium) on the technician's phone and on a desktop, in Chinese and
English (issue #20): one-tap start, then the resolve form with a material line, a photo (made
smaller in the browser before upload) and the customer's signature drawn on the pad.

ORM set-up and assertions stay outside the `sync_playwright()` block (see test_browser.py).
"""

import os
import struct
import zlib

import pytest

from kefu.workorders.models import Attachment, ResolutionMaterial, WorkOrder
from kefu.workorders.tests.factories import advance, make_work_order
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not os.path.exists(CHROMIUM):
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
SLOW_MS = 30_000


def noisy_png(width=1200, height=900) -> bytes:
    """A photo-like PNG (noise compresses badly as PNG, well as JPEG): ~3 MB."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))


@pytest.mark.parametrize(("language", "device"), [("zh-hans", PHONE), ("en", DESKTOP)])
def test_technician_starts_with_one_tap_and_resolves_with_a_photo_and_a_signature(
        live_server, cast, org, settings, tmp_path, language, device):
    from playwright.sync_api import expect, sync_playwright

    settings.MEDIA_ROOT = tmp_path
    order = make_work_order(actor=cast["agent"], title="厨房水槽漏水", description="水槽下方角阀滴水，地面有积水。",
                            contact_name="王先生", contact_phone="13800001234")
    order = advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    cast["technician"].staff.language = language
    cast["technician"].staff.save(update_fields=["language"])
    session = _session_cookie(cast["technician"])
    photo = noisy_png()
    name = f"{'phone' if device is PHONE else 'desktop'}_{language}"
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session, **device)
        page.set_default_timeout(SLOW_MS)  # a shared, busy machine: generous waits (no sleeps)
        expect.set_options(timeout=SLOW_MS)
        page.goto(f"{live_server.url}/work-orders/{order.pk}/")
        page.click("button[data-action=start]")  # one tap: no dialog opens
        page.wait_for_selector(".kefu-event[data-action=start]")
        expect(page.locator(".modal.show")).to_have_count(0)

        page.click("a[data-action=resolve]")
        page.wait_for_selector("#resolve-form")
        # the description and the number to call come before the fields
        expect(page.locator("#resolve-order")).to_contain_text("水槽下方角阀滴水")
        expect(page.locator("#resolve-contact a[href='tel:13800001234']")).to_be_visible()
        assert page.locator("#resolve-order").bounding_box()["y"] < page.locator("#id_resolve_resolution").bounding_box()["y"]
        if device is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.fill("#id_resolve_resolution", "更换角阀，试水 10 分钟无渗漏")
        row = page.locator(".kefu-material-row").first
        row.locator("input[name=material_description]").fill("角阀 DN15")
        row.locator("input[name=material_quantity]").fill("1")
        row.locator("input[name=material_unit]").fill("个")
        page.click("#material-add")
        expect(page.locator(".kefu-material-row")).to_have_count(3)

        photos = page.locator("#id_resolve_photos")
        photos.set_input_files([{"name": "现场.png", "mimeType": "image/png", "buffer": photo}])
        expect(photos).to_have_attribute("data-ready", "1")
        expect(page.locator("#photo-preview img")).to_have_count(1)

        pad = page.locator("#resolve-signature-pad")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        page.mouse.move(box["x"] + 30, box["y"] + 40)
        page.mouse.down()
        for step in range(1, 12):
            page.mouse.move(box["x"] + 30 + step * 20, box["y"] + 40 + (step % 3) * 25)
        page.mouse.up()
        expect(page.locator("#resolve-signature")).to_have_attribute("data-signed", "1")
        page.fill("#id_resolve_confirmed_by", "王先生")
        page.screenshot(path=str(ARTIFACTS / f"resolve_form_{name}.png"), full_page=True)
        page.click("#resolve-submit")
        page.wait_for_selector(".kefu-event[data-action=resolve]")
        expect(page.locator("#order-materials")).to_contain_text("角阀 DN15 × 1 个")
        expect(page.locator(".kefu-event[data-action=resolve] img.kefu-signature")).to_have_js_property("complete", True)
        page.screenshot(path=str(ARTIFACTS / f"resolved_{name}.png"), full_page=True)
        browser.close()

    order = WorkOrder.objects.get(pk=order.pk)
    assert (order.status, order.resolution) == ("resolved", "更换角阀，试水 10 分钟无渗漏")
    assert list(ResolutionMaterial.objects.filter(work_order=order).values_list("description", "unit")) == [
        ("角阀 DN15", "个")]
    photo_row, signature = Attachment.objects.filter(work_order=order).order_by("pk")
    # compressed in the browser: a JPEG, much smaller than the 3 MB PNG that was picked
    assert (photo_row.original_name, photo_row.content_type) == ("现场.jpg", "image/jpeg")
    assert photo_row.size < len(photo)
    assert (signature.original_name, signature.content_type) == ("signature.png", "image/png")
    with signature.file.open("rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert list(order.events.values_list("action", flat=True)) == ["create", "dispatch", "start", "resolve"]
