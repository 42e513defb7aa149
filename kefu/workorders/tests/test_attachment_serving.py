"""Uploaded PDFs are downloads, never rendered inline; photos inline; both sandboxed (issue #15)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kefu.workorders.services import work_order_attachment_add
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF_WITH_SCRIPT = b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF"


@pytest.mark.parametrize(("name", "content", "disposition"), [
    ("报价.pdf", PDF_WITH_SCRIPT, "attachment"),
    ("现场.png", PNG, "inline"),
], ids=["pdf", "png"])
def test_attachment_disposition(client, cast, settings, tmp_path, name, content, disposition):
    settings.MEDIA_ROOT = tmp_path
    order = make_work_order(actor=cast["agent"])
    item = work_order_attachment_add(work_order=order, actor_user=cast["agent"],
                                     upload=SimpleUploadedFile(name, content))
    client.force_login(cast["agent"])
    response = client.get(reverse("workorders:attachment", args=[order.pk, item.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].split(";")[0] == disposition
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content
