"""WeChat official account callbacks fed as WeChat sends them: signatures and the AES safe mode
computed here from Tencent's documentation (independently of wechatpy), into the real endpoint;
photos fetched from a local HTTP server standing in for api.weixin.qq.com that checks the app id,
secret and access token the way WeChat does."""

import base64
import hashlib
import json
import os
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.cache import cache
from django.test import Client

from kefu.channels.inbound import identity_bind
from kefu.channels.models import Conversation, InboundItem, Message
from kefu.channels.tests.factories import make_account
from kefu.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db
TOKEN, APP_ID, APP_SECRET = "kefutoken", "wx0123456789abcdef", "app-secret-xyz"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def encrypt(xml: str, *, key: str = AES_KEY, app_id: str = APP_ID) -> str:
    """WeChat's message encryption: AES-256-CBC, key = Base64(EncodingAESKey + "="), IV = key[:16],
    plaintext = 16 random bytes + msg length (4 bytes, network order) + msg + app id, PKCS#7 to 32."""
    aes = base64.b64decode(key + "=")
    msg = xml.encode()
    plain = os.urandom(16) + struct.pack(">I", len(msg)) + msg + app_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(aes), modes.CBC(aes[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def text_xml(content: str = "楼道灯坏了", msg_id: str = "6000000000000000001", sender: str = "oFollower1") -> str:
    return (f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def post(client, account, xml: str, *, safe: bool = False, token: str = TOKEN, tamper: bool = False):
    ts, nonce = str(int(time.time())), "1234567"
    params = {"timestamp": ts, "nonce": nonce, "signature": signature(token, ts, nonce), "openid": "oFollower1"}
    if safe:
        encrypted = encrypt(xml)
        params.update(encrypt_type="aes", msg_signature=signature(token, ts, nonce, encrypted))
        if tamper:
            encrypted = encrypt(xml.replace("楼道", "电梯"))
        xml = f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return client.post(f"/channels/wechat/{account.pk}/?{urlencode(params)}", data=xml.encode(),
                       content_type="text/xml")


@pytest.fixture
def mp(org):
    return make_account(department=org["cs"], kind="wechat_mp", name="物业服务号", secret=APP_SECRET,
                        config={"app_id": APP_ID, "token": TOKEN, "encoding_aes_key": AES_KEY})


def test_url_verification(mp):
    ts, nonce = "1700000000", "abc"
    query = {"signature": signature(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": "e-123"}
    response = Client().get(f"/channels/wechat/{mp.pk}/", query)
    assert response.status_code == 200 and response.content == b"e-123"
    wrong = Client().get(f"/channels/wechat/{mp.pk}/", {**query, "signature": "0" * 40})
    assert wrong.status_code == 401 and b"e-123" not in wrong.content


@pytest.mark.parametrize("safe", [False, True])
def test_text_message_in_both_modes_becomes_a_conversation(mp, safe):
    response = post(Client(), mp, text_xml(), safe=safe)
    assert response.status_code == 200 and response.content == b"success"
    conversation = Conversation.objects.get()
    assert (conversation.address, conversation.status) == ("oFollower1", "open")
    assert [m.text for m in conversation.messages.all()] == ["楼道灯坏了"]
    assert InboundItem.objects.get().processed_at is not None


def test_redelivery_of_the_same_msgid_changes_nothing(mp):
    client = Client()
    post(client, mp, text_xml())
    again = post(client, mp, text_xml(), safe=True)
    assert again.content == b"success"
    assert InboundItem.objects.count() == 1 and Message.objects.count() == 1


@pytest.mark.parametrize("how", ["signature", "msg_signature", "other_app"])
def test_wrong_signatures_store_nothing(mp, how):
    client = Client()
    if how == "signature":
        response = post(client, mp, text_xml(), token="not-the-token")
    elif how == "msg_signature":
        response = post(client, mp, text_xml(), safe=True, tamper=True)
    else:
        ts, nonce = str(int(time.time())), "n"
        encrypted = encrypt(text_xml(), app_id="wxSomeoneElse00000")
        params = {"timestamp": ts, "nonce": nonce, "signature": signature(TOKEN, ts, nonce), "encrypt_type": "aes",
                  "msg_signature": signature(TOKEN, ts, nonce, encrypted)}
        response = client.post(f"/channels/wechat/{mp.pk}/?{urlencode(params)}",
                               data=f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode(),
                               content_type="text/xml")
    assert response.status_code == 401
    assert not InboundItem.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize("body", [b"<xml><FromUserName>o", b"not xml at all", b"<xml><MsgType>text</MsgType></xml>"])
def test_malformed_xml_is_400_and_stores_nothing(mp, body):
    ts, nonce = str(int(time.time())), "n"
    params = {"timestamp": ts, "nonce": nonce, "signature": signature(TOKEN, ts, nonce)}
    response = Client().post(f"/channels/wechat/{mp.pk}/?{urlencode(params)}", data=body, content_type="text/xml")
    assert response.status_code == 400
    assert not InboundItem.objects.exists()


def test_paused_account_keeps_the_item_but_takes_nothing_in(mp):
    mp.is_paused = True
    mp.save()
    assert post(Client(), mp, text_xml()).content == b"success"
    assert InboundItem.objects.get().processed_at is None and not Message.objects.exists()


def test_events_voice_location_and_bound_follower(mp):
    customer = make_customer(name="张伟", phones=["13600136000"])
    identity_bind(account=mp, address="oFollower1", customer=customer)
    now = int(time.time())
    head = ("<xml><ToUserName>gh</ToUserName><FromUserName>oFollower1</FromUserName>"
            f"<CreateTime>{now}</CreateTime>")
    client = Client()
    post(client, mp, head + "<MsgType>event</MsgType><Event>subscribe</Event></xml>")
    post(client, mp, head + "<MsgType>voice</MsgType><MediaId>v1</MediaId><Format>amr</Format>"
                            "<Recognition>电梯停了</Recognition><MsgId>7001</MsgId></xml>")
    post(client, mp, head + "<MsgType>location</MsgType><Location_X>31.2</Location_X><Location_Y>121.4</Location_Y>"
                            "<Scale>15</Scale><Label>3号楼</Label><MsgId>7002</MsgId></xml>")
    post(client, mp, head.replace(str(now), str(now + 1)) + "<MsgType>event</MsgType><Event>CLICK</Event>"
                                                            "<EventKey>报修</EventKey></xml>")
    conversation = Conversation.objects.get()
    assert conversation.customer == customer
    assert [m.text for m in conversation.messages.all()] == [
        "[关注公众号]", "电梯停了", "[位置] 3号楼 (31.2, 121.4)", "[报修] 请描述问题、发送照片并说明房号"]


class FakeWeChatAPI(BaseHTTPRequestHandler):
    """api.weixin.qq.com as documented: /cgi-bin/token checks appid+secret, /cgi-bin/media/get
    checks the access token and returns the file (errcode JSON otherwise)."""

    calls: list[str] = []

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        FakeWeChatAPI.calls.append(url.path)
        if url.path == "/cgi-bin/token":
            ok = query == {"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET}
            body = {"access_token": "ACCESS-1", "expires_in": 7200} if ok else {"errcode": 40125, "errmsg": "invalid appsecret"}
            return self._json(body)
        if url.path == "/cgi-bin/media/get":
            if query.get("access_token") != "ACCESS-1":
                return self._json({"errcode": 40001, "errmsg": "invalid credential"})
            if query.get("media_id") != "img-1":
                return self._json({"errcode": 40007, "errmsg": "invalid media_id"})
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)
            return None
        self.send_error(404)
        return None

    def _json(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def wechat_api(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeWeChatAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.KEFU_WECHAT_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    FakeWeChatAPI.calls = []
    cache.clear()
    yield server
    server.shutdown()
    server.server_close()


def _image_xml(media_id: str, msg_id: str) -> str:
    return ("<xml><ToUserName>gh</ToUserName><FromUserName>oFollower1</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType>image</MsgType><PicUrl>http://mmbiz/x</PicUrl>"
            f"<MediaId>{media_id}</MediaId><MsgId>{msg_id}</MsgId></xml>")


def test_photo_becomes_an_attachment_fetched_with_the_app_secret(mp, wechat_api):
    post(Client(), mp, _image_xml("img-1", "8001"), safe=True)
    message = Message.objects.get()
    attachment = message.attachments.get()
    assert (message.kind, message.text, attachment.content_type, attachment.size) == ("image", "[图片]", "image/png",
                                                                                      len(PNG))
    assert attachment.file.read() == PNG
    assert FakeWeChatAPI.calls == ["/cgi-bin/token", "/cgi-bin/media/get"]


def test_photo_with_a_wrong_secret_is_kept_without_attachment(mp, wechat_api):
    mp.set_secret("secret", "stale-secret")
    mp.save()
    post(Client(), mp, _image_xml("img-1", "8002"))
    message = Message.objects.get()
    assert not message.attachments.exists()
    assert FakeWeChatAPI.calls == ["/cgi-bin/token"]
