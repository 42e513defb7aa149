"""WeChat official account (公众号) callbacks, as Tencent documents them, through `wechatpy`:

- URL verification: GET with signature/timestamp/nonce/echostr; signature = sha1 of the sorted
  token, timestamp and nonce; answer the echostr.
- Messages: POST XML, signed the same way; in safe mode (`encrypt_type=aes`) the body carries
  `<Encrypt>` (AES-256-CBC with the EncodingAESKey) and `msg_signature` signs it.

The endpoint answers "success" at once (WeChat waits 5 s and retries thrice): the item is
stored raw and turned into a message by the worker (`tasks.process_inbound_item_task`).
"""

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from kefu.channels.choices import MessageKind
from kefu.channels.inbound import inbound_store
from kefu.channels.models import ChannelAccount, InboundItem

MAX_BODY_BYTES = 64 * 1024
REPAIR_KEYS = {"报修", "REPAIR", "repair"}


class BadSignature(Exception):
    pass


class BadMessage(Exception):
    pass


def verify_url(account: ChannelAccount, params) -> str:
    """The echostr to answer a verification GET; BadSignature if it is not WeChat's."""
    _check(account, params)
    echostr = params.get("echostr") or ""
    if not echostr:
        raise BadMessage("echostr missing")
    return echostr


def _check(account: ChannelAccount, params) -> None:
    token = account.config_value("token") or ""
    try:
        check_signature(token, params.get("signature") or "", params.get("timestamp") or "", params.get("nonce") or "")
    except InvalidSignatureException:
        raise BadSignature("wrong signature") from None


def decode(account: ChannelAccount, params, body: bytes) -> str:
    """The message XML (decrypted in safe mode); BadSignature / BadMessage otherwise."""
    _check(account, params)
    if params.get("encrypt_type") == "aes":
        key = account.config_value("encoding_aes_key")
        if not key:
            raise BadMessage("safe mode without encoding_aes_key")
        crypto = WeChatCrypto(account.config_value("token"), key, account.config_value("app_id"))
        try:
            return crypto.decrypt_message(body, params.get("msg_signature") or "", params.get("timestamp") or "",
                                          params.get("nonce") or "")
        except (InvalidSignatureException, InvalidAppIdException):
            raise BadSignature("wrong msg_signature or app id") from None
        except Exception as error:  # malformed XML or ciphertext
            raise BadMessage(f"cannot decrypt: {type(error).__name__}") from None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadMessage("not UTF-8") from None


def _message(xml: str):
    try:
        message = parse_message(xml)
    except Exception as error:  # xmltodict/expat errors
        raise BadMessage(f"malformed XML: {type(error).__name__}") from None
    if not getattr(message, "source", None):
        raise BadMessage("FromUserName missing")
    return message


def receive(account: ChannelAccount, params, body: bytes) -> tuple[InboundItem, bool]:
    """Check, decode and store the message raw; idempotent on MsgId (events: sender + time + event)."""
    xml = decode(account, params, body)
    message = _message(xml)
    event = getattr(message, "event", "")
    msg_id = getattr(message, "id", None)
    provider_id = f"msg:{msg_id}" if msg_id else f"event:{message.source}:{message.create_time.timestamp():.0f}:{event}"
    payload = {"type": message.type, "event": event, "from": message.source}
    return inbound_store(account=account, provider_id=provider_id, kind="wechat", raw=xml, payload=payload)


def to_message(message) -> tuple[str, str]:
    """(kind, text as agents read it) of a parsed WeChat message."""
    kind = message.type
    if kind == "text":
        return MessageKind.TEXT, message.content
    if kind == "image":
        return MessageKind.IMAGE, "[图片]"
    if kind == "voice":
        recognition = getattr(message, "recognition", None) or ""
        return MessageKind.VOICE, recognition or "[语音]"
    if kind == "location":
        return MessageKind.LOCATION, f"[位置] {message.label} ({message.location_x}, {message.location_y})"
    if kind == "event":
        event = message.event
        if event == "subscribe":
            return MessageKind.EVENT, "[关注公众号]"
        if event == "unsubscribe":
            return MessageKind.EVENT, "[取消关注]"
        if event == "click":
            key = message.key or ""
            if key in REPAIR_KEYS:
                return MessageKind.EVENT, "[报修] 请描述问题、发送照片并说明房号"
            return MessageKind.EVENT, f"[菜单] {key}"
        return MessageKind.EVENT, f"[{event}]"
    return MessageKind.TEXT, f"[{kind}]"


def process(item: InboundItem):
    """Turn a stored WeChat item into a message of the follower's conversation (worker side).
    Unsubscribe and other bare events are kept as items only."""
    from kefu.channels.inbound import message_receive

    message = _message(item.raw)
    kind, text = to_message(message)
    if message.type == "event" and message.event not in ("subscribe", "click"):
        return None
    attachments = []
    if message.type == "image":
        from kefu.channels.wechat_api import fetch_media

        media = fetch_media(item.account, message.media_id)
        if media is not None:
            attachments.append(media)
    return message_receive(item=item, account=item.account, address=message.source, text=text, kind=kind,
                           received_at=message.create_time, attachments=attachments)
