"""WeCom app callbacks fed as WeCom sends them (encrypted and signed here from Tencent's
documentation): URL verification with an encrypted echostr, a technician's text message, a wrong
signature and another corp's message refused."""

import time
from urllib.parse import urlencode

import pytest
from django.test import Client

from kefu.channels.models import Conversation, InboundItem
from kefu.channels.tests.factories import make_account
from kefu.channels.tests.test_wechat import encrypt, signature

pytestmark = pytest.mark.django_db
TOKEN, CORP_ID = "wecomtoken", "ww0123456789abcdef"
AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkj"


@pytest.fixture
def app(org):
    return make_account(department=org["eng"], kind="wecom", name="工程部企业微信", secret="corp-secret",
                        config={"corp_id": CORP_ID, "token": TOKEN, "encoding_aes_key": AES_KEY, "agent_id": 1000002})


def test_url_verification_answers_the_decrypted_echostr(app):
    ts, nonce = str(int(time.time())), "n1"
    echostr = encrypt("echo-4711", key=AES_KEY, app_id=CORP_ID)
    query = {"msg_signature": signature(TOKEN, ts, nonce, echostr), "timestamp": ts, "nonce": nonce,
             "echostr": echostr}
    response = Client().get(f"/channels/wecom/{app.pk}/", query)
    assert response.status_code == 200 and response.content == b"echo-4711"
    assert Client().get(f"/channels/wecom/{app.pk}/", {**query, "msg_signature": "0" * 40}).status_code == 401


def _post(app, xml: str, *, corp_id: str = CORP_ID, token: str = TOKEN):
    ts, nonce = str(int(time.time())), "n2"
    encrypted = encrypt(xml, key=AES_KEY, app_id=corp_id)
    params = {"msg_signature": signature(token, ts, nonce, encrypted), "timestamp": ts, "nonce": nonce}
    body = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID>1000002</AgentID>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    return Client().post(f"/channels/wecom/{app.pk}/?{urlencode(params)}", data=body.encode(), content_type="text/xml")


def _text(content: str, msg_id: str = "9001") -> str:
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[liushifu]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>")


def test_technicians_message_becomes_a_conversation_once(app):
    assert _post(app, _text("3号楼水泵房漏水，已关阀门")).content == b"success"
    assert _post(app, _text("3号楼水泵房漏水，已关阀门")).content == b"success"
    conversation = Conversation.objects.get()
    assert (conversation.address, [m.text for m in conversation.messages.all()]) == (
        "liushifu", ["3号楼水泵房漏水，已关阀门"])
    assert InboundItem.objects.count() == 1


def test_wrong_signature_or_corp_stores_nothing(app):
    assert _post(app, _text("x"), token="other").status_code == 401
    assert _post(app, _text("x"), corp_id="wwSomeoneElse0000").status_code == 401
    assert not InboundItem.objects.exists()
