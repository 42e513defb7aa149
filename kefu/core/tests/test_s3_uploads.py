"""Uploads on S3-compatible storage (docs/deployment.md): the storage configured from KEFU_S3_*
exactly as production builds it (config.scaleout.s3_storage), against a local S3 server that the
tests start (moto in server mode). An attachment uploaded through the API lands in the bucket, not
on local disk, and is read back through the visibility-checked view."""

import boto3  # type: ignore[import-untyped]
import pytest
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from config import scaleout
from kefu.core.tests.s3server import moto_s3_server
from kefu.workorders.models import Attachment
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db

BUCKET = "kefu-test-uploads"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def s3_endpoint():
    with moto_s3_server() as endpoint:
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="kefu",
                     aws_secret_access_key="kefu-secret").create_bucket(Bucket=BUCKET)
        yield endpoint


@pytest.fixture
def s3(s3_endpoint, monkeypatch, tmp_path, settings):
    for name, value in {"KEFU_S3_BUCKET": BUCKET, "KEFU_S3_ENDPOINT_URL": s3_endpoint,
                        "KEFU_S3_REGION": "us-east-1", "KEFU_S3_ACCESS_KEY_ID": "kefu",
                        "KEFU_S3_SECRET_ACCESS_KEY": "kefu-secret", "KEFU_S3_PREFIX": "media",
                        "KEFU_S3_ADDRESSING_STYLE": "path"}.items():
        monkeypatch.setenv(name, value)
    storage = scaleout.s3_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.MEDIA_ROOT = str(tmp_path / "media")  # must stay empty: nothing is written locally
    with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
        client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                              aws_access_key_id="kefu", aws_secret_access_key="kefu-secret")
        yield client


def _keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_attachment_goes_to_the_bucket_and_comes_back_through_the_view(s3, cast, api, client, tmp_path):
    assert type(storages["default"]).__name__ == "S3Storage"
    before = _keys(s3)
    order = make_work_order(actor=cast["agent"])
    response = api(cast["agent"]).post(f"/api/v1/work-orders/{order.pk}/attachments/",
                                       {"file": SimpleUploadedFile("漏水照片.png", PNG, content_type="image/png")},
                                       format="multipart")
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get(pk=response.json()["id"])

    added = sorted(set(_keys(s3)) - set(before))
    assert added == [f"media/{attachment.file.name}"]
    assert attachment.file.name.startswith(f"attachments/{order.pk}/")
    body = s3.get_object(Bucket=BUCKET, Key=added[0])["Body"].read()
    assert body == PNG
    assert not (tmp_path / "media").exists()  # nothing on the web node's disk

    client.force_login(cast["agent"])
    response = client.get(f"/work-orders/{order.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG

    # Visibility still applies to files in the bucket: another company's steward gets a 404.
    client.force_login(cast["other_steward"])
    assert client.get(f"/work-orders/{order.pk}/attachments/{attachment.pk}/").status_code == 404


def test_two_files_of_the_same_name_are_two_objects(s3, cast, api):
    order = make_work_order(actor=cast["agent"])
    ids = []
    for content in (PDF, PDF.replace(b"1.4", b"1.7")):
        response = api(cast["agent"]).post(f"/api/v1/work-orders/{order.pk}/attachments/",
                                           {"file": SimpleUploadedFile("报告.pdf", content)}, format="multipart")
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    first, second = Attachment.objects.filter(pk__in=ids).order_by("id")
    assert first.file.name != second.file.name
    assert first.file.read() == PDF and second.file.read() == PDF.replace(b"1.4", b"1.7")
    assert default_storage.exists(first.file.name) and default_storage.exists(second.file.name)


def test_without_a_bucket_uploads_stay_on_local_disk(monkeypatch):
    monkeypatch.delenv("KEFU_S3_BUCKET", raising=False)
    assert scaleout.s3_storage() is None
