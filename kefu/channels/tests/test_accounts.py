"""Channel accounts: the API contract, secrets encrypted at rest and never returned, scoping,
compare-and-swap, bad input."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from kefu.channels import crypto
from kefu.channels.models import ChannelAccount

pytestmark = pytest.mark.django_db
URL = "/api/v1/channel-accounts/"
AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def _raw_secret_column(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets_encrypted FROM channels_channelaccount WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_create_wechat_account_keeps_the_secret_encrypted_and_never_returns_it(api, cast, org):
    response = api(cast["manager"]).post(URL, {
        "kind": "wechat_mp", "name": "物业服务号", "department": org["cs"].pk, "secret": "app-secret-123",
        "config": {"app_id": "wx1234567890", "token": "tok", "encoding_aes_key": AES}}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "secret" not in body and "app-secret-123" not in response.content.decode()
    assert body["secret_names"] == ["secret"]
    assert body["config"] == {"app_id": "wx1234567890", "token": "tok", "encoding_aes_key": AES}
    account = ChannelAccount.objects.get(pk=body["id"])
    raw = _raw_secret_column(account.pk)
    assert "app-secret-123" not in raw and raw.startswith("gAAAAA")  # a Fernet token
    assert account.get_secret("secret") == "app-secret-123"
    again = api(cast["manager"]).get(f"{URL}{account.pk}/")
    assert again.status_code == 200 and "app-secret-123" not in again.content.decode()


def test_set_and_get_secret_round_trip_and_removal(cast, org):
    account = ChannelAccount(kind="sms", provider="aliyun", name="短信", department=org["cs"])
    account.set_secret("access_key_id", "AKID")
    account.set_secret("access_key_secret", "s3cr3t")
    account.save()
    fresh = ChannelAccount.objects.get(pk=account.pk)
    assert (fresh.get_secret("access_key_id"), fresh.get_secret("access_key_secret")) == ("AKID", "s3cr3t")
    assert fresh.get_secret("missing") is None and fresh.secret_names == ["access_key_id", "access_key_secret"]
    fresh.set_secret("access_key_id", None)
    fresh.save()
    assert ChannelAccount.objects.get(pk=account.pk).secret_names == ["access_key_secret"]


def test_key_rotation_keeps_old_secrets_readable(settings, org):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.KEFU_CHANNEL_SECRET_KEYS = [old]
    account = ChannelAccount(kind="cti", name="400", department=org["cs"])
    account.set_secret("secret", "hmac-key")
    account.save()
    settings.KEFU_CHANNEL_SECRET_KEYS = [new, old]
    fresh = ChannelAccount.objects.get(pk=account.pk)
    assert fresh.get_secret("secret") == "hmac-key"
    rotated = crypto.rotate(fresh.secrets_encrypted)
    settings.KEFU_CHANNEL_SECRET_KEYS = [new]
    assert crypto.decrypt_secrets(rotated) == {"secret": "hmac-key"}


def test_agents_may_not_create_and_nothing_is_written(api, cast, org):
    response = api(cast["agent"]).post(URL, {"kind": "cti", "name": "400", "department": org["cs"].pk,
                                             "secret": "k"}, format="json")
    assert response.status_code == 403
    assert not ChannelAccount.objects.exists()


@pytest.mark.parametrize(("payload", "field"), [
    ({"kind": "fax", "name": "x", "secret": "k"}, "kind"),
    ({"kind": "cti", "name": "", "secret": "k"}, "name"),
    ({"kind": "cti", "name": "400"}, "secret"),
    ({"kind": "cti", "name": "400", "secret": "k", "config": {"answer_target_seconds": 0}}, "config"),
    ({"kind": "wechat_mp", "name": "mp", "secret": "k", "config": {"app_id": "wx1"}}, "config"),
    ({"kind": "wechat_mp", "name": "mp", "secret": "k",
      "config": {"app_id": "wx1", "token": "t", "encoding_aes_key": "short"}}, "config"),
    ({"kind": "imap", "name": "mail", "secret": "pw", "config": {"host": "h"}}, "config"),
    ({"kind": "cti", "name": "400", "secret": "k", "config": ["not", "an", "object"]}, "config"),
    ({"kind": "cti", "name": "400", "secret": "k", "config": {"pad": "x" * 9000}}, "config"),
])
def test_bad_input_names_the_field(api, cast, org, payload, field):
    response = api(cast["manager"]).post(URL, {"department": org["cs"].pk, **payload}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not ChannelAccount.objects.exists()


def test_department_outside_the_managers_subtree_is_refused(api, cast, org):
    response = api(cast["manager"]).post(URL, {"kind": "cti", "name": "400", "department": org["other"].pk,
                                               "secret": "k"}, format="json")
    assert response.status_code == 400 and "department" in response.json()["fields"]
    assert not ChannelAccount.objects.exists()


def test_list_is_scoped_and_unseen_account_is_404(api, cast, org):
    mine = ChannelAccount.objects.create(kind="cti", name="本项目400", department=org["cs"])
    theirs = ChannelAccount.objects.create(kind="cti", name="其他项目400", department=org["oteam"])
    client = api(cast["manager"])
    assert [r["id"] for r in client.get(URL).json()["results"]] == [mine.pk]
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert {r["id"] for r in api(cast["administrator"]).get(URL).json()["results"]} == {mine.pk, theirs.pk}


def test_pause_with_version_and_stale_copy_gets_409(api, cast, org):
    account = ChannelAccount.objects.create(kind="cti", name="400", department=org["cs"])
    client = api(cast["manager"])
    first = client.patch(f"{URL}{account.pk}/", {"is_paused": True, "version": 1}, format="json")
    assert first.status_code == 200 and first.json()["is_paused"] is True and first.json()["version"] == 2
    stale = client.patch(f"{URL}{account.pk}/", {"name": "改名", "version": 1}, format="json")
    assert stale.status_code == 409
    assert ChannelAccount.objects.get(pk=account.pk).name == "400"


def test_new_secret_replaces_and_empty_keeps(api, cast, org):
    created = api(cast["manager"]).post(URL, {"kind": "cti", "name": "400", "department": org["cs"].pk,
                                              "secret": "old"}, format="json").json()
    client = api(cast["manager"])
    client.patch(f"{URL}{created['id']}/", {"name": "400热线"}, format="json")
    assert ChannelAccount.objects.get(pk=created["id"]).get_secret("secret") == "old"
    client.patch(f"{URL}{created['id']}/", {"secret": "new"}, format="json")
    assert ChannelAccount.objects.get(pk=created["id"]).get_secret("secret") == "new"


def test_rotate_command_re_encrypts_with_the_new_key(settings, org):
    from django.core.management import call_command

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.KEFU_CHANNEL_SECRET_KEYS = [old]
    account = ChannelAccount(kind="cti", name="400", department=org["cs"])
    account.set_secret("secret", "hmac-key")
    account.save()
    settings.KEFU_CHANNEL_SECRET_KEYS = [new, old]
    call_command("rotate_channel_secrets", stdout=open("/dev/null", "w"))
    settings.KEFU_CHANNEL_SECRET_KEYS = [new]
    assert ChannelAccount.objects.get(pk=account.pk).get_secret("secret") == "hmac-key"
