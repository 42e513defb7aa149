"""WeCom (企业微信) app callbacks for staff (e.g. a technician reporting a finding), as Tencent
documents them, through `wechatpy.enterprise`: always encrypted (AES with the app's
EncodingAESKey, receive id = the corp id), `msg_signature` = sha1 of the sorted token, timestamp,
nonce and ciphertext. GET verification answers the decrypted `echostr`; POST messages are stored
raw at once (idempotent on MsgId) and processed by the worker like official-account messages."""

from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from kefu.channels.inbound import inbound_store, message_receive
from kefu.channels.models import ChannelAccount, InboundItem
from kefu.channels.wechat import BadMessage, BadSignature, to_message


def _crypto(account: ChannelAccount) -> WeChatCrypto:
    return WeChatCrypto(account.config_value("token"), account.config_value("encoding_aes_key"),
                        account.config_value("corp_id"))


def verify_url(account: ChannelAccount, params) -> str:
    try:
        return _crypto(account).check_signature(params.get("msg_signature") or "", params.get("timestamp") or "",
                                                params.get("nonce") or "", params.get("echostr") or "")
    except (InvalidSignatureException, InvalidCorpIdException):
        raise BadSignature("wrong msg_signature") from None
    except Exception as error:
        raise BadMessage(f"cannot decrypt echostr: {type(error).__name__}") from None


def receive(account: ChannelAccount, params, body: bytes) -> tuple[InboundItem, bool]:
    try:
        xml = _crypto(account).decrypt_message(body, params.get("msg_signature") or "", params.get("timestamp") or "",
                                               params.get("nonce") or "")
    except (InvalidSignatureException, InvalidCorpIdException):
        raise BadSignature("wrong msg_signature or corp id") from None
    except Exception as error:
        raise BadMessage(f"cannot decrypt: {type(error).__name__}") from None
    try:
        message = parse_message(xml)
    except Exception as error:
        raise BadMessage(f"malformed XML: {type(error).__name__}") from None
    if not getattr(message, "source", None):
        raise BadMessage("FromUserName missing")
    msg_id = getattr(message, "id", None)
    event = getattr(message, "event", "")
    provider_id = f"msg:{msg_id}" if msg_id else f"event:{message.source}:{message.create_time.timestamp():.0f}:{event}"
    return inbound_store(account=account, provider_id=provider_id, kind="wecom", raw=xml,
                         payload={"type": message.type, "event": event, "from": message.source,
                                  "agent_id": getattr(message, "agent", None)})


def process(item: InboundItem):
    message = parse_message(item.raw)
    if message.type == "event" and message.event not in ("click",):
        return None
    kind, text = to_message(message)
    return message_receive(item=item, account=item.account, address=message.source, text=text, kind=kind,
                           received_at=message.create_time)
