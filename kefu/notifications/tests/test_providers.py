"""The provider clients against local servers that check each request as the providers document,
and the documented signature examples."""

import pytest
from django.core.cache import cache

from kefu.notifications.providers import aliyun, tencent
from kefu.notifications.providers.base import ProviderError
from kefu.notifications.providers.wechat import WeChatOfficialAccount, WeCom, parse_template_report
from kefu.notifications.sms import sms_parts
from kefu.notifications.tests.provider_servers import AliyunServer, TencentServer, WeChatServer, WeComServer

# --- the documented signature examples ---------------------------------------------------------


def test_aliyun_signature_matches_the_documented_examples():
    # "RPC API signature" example (DescribeRegions, AccessKeySecret testsecret)
    assert aliyun.rpc_signature({
        "Timestamp": "2016-02-23T12:46:24Z", "Format": "XML", "AccessKeyId": "testid", "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26", "SignatureVersion": "1.0"}, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    # the SMS documentation's SendSms example (Chinese signature name, JSON template parameter)
    assert aliyun.rpc_signature({
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25"}, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_tencent_tc3_signature_matches_the_documented_example():
    payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    assert tencent.tc3_authorization(
        secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        host="cvm.tencentcloudapi.com", payload=payload, timestamp=1551113065, service="cvm") == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
        "SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")


def test_sms_parts_count_chinese_text_as_70_then_67():
    assert sms_parts("") == 0
    assert sms_parts("好" * 70) == 1
    assert sms_parts("好" * 71) == 2
    assert sms_parts("好" * 134) == 2
    assert sms_parts("好" * 135) == 3
    # the signature counts: 【物业】 is 4 characters
    assert sms_parts("好" * 66, "物业") == 1
    assert sms_parts("好" * 67, "物业") == 2
    # GSM-only text: 160 / 153
    assert sms_parts("a" * 160) == 1
    assert sms_parts("a" * 161) == 2


# --- Alibaba Cloud -------------------------------------------------------------------------------

@pytest.fixture
def aliyun_server():
    server = AliyunServer(keys={"LTAI5tKefu": "s3cret"}, sign_names={"金桂物业"},
                          templates={"SMS_100": ("number", "title", "phone")}).start()
    yield server
    server.stop()


def _aliyun(server, **overrides):
    values = {"access_key_id": "LTAI5tKefu", "access_key_secret": "s3cret", "sign_name": "金桂物业",
              "endpoint": server.url + "/"}
    return aliyun.AliyunSms(**{**values, **overrides})


def test_aliyun_send_is_signed_and_accepted(aliyun_server):
    result = _aliyun(aliyun_server).send(phone="13800138000", template_code="SMS_100", out_id="42",
                                         params={"number": "GD001", "title": "漏水 & 维修", "phone": "400-800"})
    [sent] = aliyun_server.sent
    assert result.provider_id == sent["BizId"] == "1000^0"
    assert (sent["PhoneNumbers"], sent["SignName"], sent["TemplateCode"], sent["OutId"]) == (
        "13800138000", "金桂物业", "SMS_100", "42")
    assert sent["TemplateParam"] == {"number": "GD001", "title": "漏水 & 维修", "phone": "400-800"}


@pytest.mark.parametrize(("setup", "kwargs", "code", "retry"), [
    (None, {"phone": "12345"}, "isv.MOBILE_NUMBER_ILLEGAL", False),
    (None, {"template_code": "SMS_999"}, "isv.SMS_TEMPLATE_ILLEGAL", False),
    (None, {"params": {"number": "GD001"}}, "isv.TEMPLATE_MISSING_PARAMETERS", False),
    ("limit", {}, "isv.BUSINESS_LIMIT_CONTROL", True),
    ("balance", {}, "isv.AMOUNT_NOT_ENOUGH", True),
])
def test_aliyun_errors_map_to_a_retry_decision(aliyun_server, setup, kwargs, code, retry):
    if setup == "limit":
        aliyun_server.limited.add("13800138000")
    if setup == "balance":
        aliyun_server.balance = 0
    values = {"phone": "13800138000", "template_code": "SMS_100",
              "params": {"number": "GD001", "title": "t", "phone": "400"}, **kwargs}
    with pytest.raises(ProviderError) as excinfo:
        _aliyun(aliyun_server).send(**values)
    assert (excinfo.value.code, excinfo.value.retry) == (code, retry)
    assert aliyun_server.sent == []


def test_aliyun_refuses_a_wrong_secret_and_an_unapproved_signature(aliyun_server):
    params = {"number": "GD001", "title": "t", "phone": "400"}
    with pytest.raises(ProviderError) as excinfo:
        _aliyun(aliyun_server, access_key_secret="wrong").send(phone="13800138000", template_code="SMS_100",
                                                               params=params)
    assert excinfo.value.code == "SignatureDoesNotMatch"
    with pytest.raises(ProviderError) as excinfo:
        _aliyun(aliyun_server, sign_name="别家物业").send(phone="13800138000", template_code="SMS_100", params=params)
    assert (excinfo.value.code, excinfo.value.retry) == ("isv.SMS_SIGNATURE_ILLEGAL", False)
    assert aliyun_server.sent == []


def test_aliyun_receipts_by_pull_and_push(aliyun_server):
    aliyun_server.reports["77^0"] = {"SendDate": "2026-12-07 10:00:00", "SendStatus": 2,
                                     "ReceiveDate": "2026-12-07 10:00:05", "ErrCode": "MK:0001",
                                     "PhoneNum": "13800138000", "TemplateCode": "SMS_100"}
    [receipt] = _aliyun(aliyun_server).query(phone="13800138000", biz_id="77^0", send_date="20261207")
    assert (receipt.provider_id, receipt.delivered, receipt.code) == ("77^0", False, "MK:0001")
    [pushed] = aliyun.parse_report([{"phone_number": "13800138000", "send_time": "2026-12-07 10:00:00",
                                     "report_time": "2026-12-07 10:00:03", "success": True, "err_code": "DELIVERED",
                                     "err_msg": "用户接收成功", "sms_size": "1", "biz_id": "78^0", "out_id": "5"}])
    assert (pushed.provider_id, pushed.delivered, pushed.at.isoformat()) == ("78^0", True, "2026-12-07T10:00:03+08:00")


# --- Tencent Cloud -------------------------------------------------------------------------------

@pytest.fixture
def tencent_server():
    server = TencentServer(secrets={"AKIDkefu": "tsecret"}, app_id="1400006666", sign_names={"金桂物业"},
                           templates={"1110": 3}).start()
    yield server
    server.stop()


def _tencent(server, **overrides):
    values = {"secret_id": "AKIDkefu", "secret_key": "tsecret", "sdk_app_id": "1400006666", "sign_name": "金桂物业",
              "endpoint": server.url + "/", "host": "sms.tencentcloudapi.com"}
    return tencent.TencentSms(**{**values, **overrides})


def test_tencent_send_is_signed_and_accepted(tencent_server):
    result = _tencent(tencent_server).send(phone="13800138000", template_id="1110", params=["GD001", "漏水", "400"],
                                           session="42")
    [sent] = tencent_server.sent
    assert (result.provider_id, result.parts) == (sent["SerialNo"], 1)
    assert (sent["PhoneNumber"], sent["TemplateParamSet"], sent["SessionContext"]) == (
        "+8613800138000", ["GD001", "漏水", "400"], "42")


@pytest.mark.parametrize(("setup", "kwargs", "code", "retry"), [
    (None, {"phone": "1380013"}, "InvalidParameterValue.IncorrectPhoneNumber", False),
    (None, {"template_id": "9"}, "FailedOperation.TemplateIncorrectOrUnapproved", False),
    (None, {"secret_key": "wrong"}, "AuthFailure.SignatureFailure", True),
    ("limit", {}, "LimitExceeded.PhoneNumberThirtySecondLimit", True),
    ("balance", {}, "FailedOperation.InsufficientBalanceInSmsPackage", True),
])
def test_tencent_errors_map_to_a_retry_decision(tencent_server, setup, kwargs, code, retry):
    if setup == "limit":
        tencent_server.limited.add("+8613800138000")
    if setup == "balance":
        tencent_server.balance = 0
    client_args = {k: v for k, v in kwargs.items() if k == "secret_key"}
    send_args = {"phone": "13800138000", "template_id": "1110", "params": ["a", "b", "c"],
                 **{k: v for k, v in kwargs.items() if k != "secret_key"}}
    with pytest.raises(ProviderError) as excinfo:
        _tencent(tencent_server, **client_args).send(**send_args)
    assert (excinfo.value.code, excinfo.value.retry) == (code, retry)
    assert tencent_server.sent == []


def test_tencent_status_callback_is_parsed():
    [ok, bad] = tencent.parse_report([
        {"user_receive_time": "2026-12-07 10:00:04", "nationcode": "86", "mobile": "13800138000",
         "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "2640:1"},
        {"user_receive_time": "2026-12-07 10:00:05", "nationcode": "86", "mobile": "13800138001",
         "report_status": "FAIL", "errmsg": "MK:0005", "description": "空号", "sid": "2640:2"}])
    assert (ok.provider_id, ok.delivered) == ("2640:1", True)
    assert (bad.provider_id, bad.delivered, bad.code, bad.reason) == ("2640:2", False, "MK:0005", "空号")


# --- WeChat and WeCom ------------------------------------------------------------------------------

@pytest.fixture
def wechat_server():
    cache.clear()
    server = WeChatServer(app_id="wx123", secret="appsecret", followers={"oOPENID1"}, templates={"TPL_ACK"}).start()
    yield server
    server.stop()


def _wechat(server, **overrides):
    return WeChatOfficialAccount(**{"app_id": "wx123", "app_secret": "appsecret", "endpoint": server.url, **overrides})


def test_wechat_template_message_with_a_cached_token(wechat_server):
    client = _wechat(wechat_server)
    first = client.send_template(openid="oOPENID1", template_id="TPL_ACK", data={"number": "GD001"}, url="https://x/1")
    second = client.send_template(openid="oOPENID1", template_id="TPL_ACK", data={"number": "GD002"})
    assert wechat_server.token_requests == 1
    assert [s["data"] for s in wechat_server.sent] == [{"number": {"value": "GD001"}}, {"number": {"value": "GD002"}}]
    assert (first.provider_id, second.provider_id) == (str(wechat_server.sent[0]["msgid"]),
                                                       str(wechat_server.sent[1]["msgid"]))
    assert wechat_server.sent[0]["url"] == "https://x/1" and "url" not in wechat_server.sent[1]


def test_wechat_expired_token_is_refreshed_once(wechat_server):
    client = _wechat(wechat_server)
    client.send_template(openid="oOPENID1", template_id="TPL_ACK", data={"number": "GD001"})
    wechat_server.expire_tokens()
    client.send_template(openid="oOPENID1", template_id="TPL_ACK", data={"number": "GD002"})
    assert wechat_server.token_requests == 2
    assert len(wechat_server.sent) == 2


@pytest.mark.parametrize(("kwargs", "code", "retry"), [
    ({"openid": "oSTRANGER"}, "43004", False),
    ({"template_id": "TPL_GONE"}, "40037", False),
])
def test_wechat_errors(wechat_server, kwargs, code, retry):
    values = {"openid": "oOPENID1", "template_id": "TPL_ACK", "data": {"number": "GD001"}, **kwargs}
    with pytest.raises(ProviderError) as excinfo:
        _wechat(wechat_server).send_template(**values)
    assert (excinfo.value.code, excinfo.value.retry) == (code, retry)
    assert wechat_server.sent == []


def test_wechat_rate_limit_and_bad_secret(wechat_server):
    wechat_server.busy = True
    with pytest.raises(ProviderError) as excinfo:
        _wechat(wechat_server).send_template(openid="oOPENID1", template_id="TPL_ACK", data={"n": "1"})
    assert (excinfo.value.code, excinfo.value.retry) == ("45009", True)
    cache.clear()
    with pytest.raises(ProviderError) as excinfo:
        _wechat(wechat_server, app_secret="wrong").send_template(openid="oOPENID1", template_id="TPL_ACK",
                                                                 data={"n": "1"})
    assert (excinfo.value.code, excinfo.value.retry) == ("40013", False)
    assert wechat_server.sent == []


def test_wechat_template_send_job_finish_event():
    receipt = parse_template_report({"ToUserName": "gh_1", "FromUserName": "oOPENID1", "MsgType": "event",
                                     "Event": "TEMPLATESENDJOBFINISH", "MsgID": "200163836", "Status": "failed:user block"})
    assert (receipt.provider_id, receipt.delivered, receipt.reason) == ("200163836", False, "failed:user block")


@pytest.fixture
def wecom_server():
    cache.clear()
    server = WeComServer(corp_id="ww1", secret="corpsecret", agent_id=1000002, members={"zhangsan"}).start()
    yield server
    server.stop()


def test_wecom_text_message_and_token_refresh(wecom_server):
    client = WeCom(corp_id="ww1", corp_secret="corpsecret", agent_id=1000002, endpoint=wecom_server.url)
    result = client.send_text(user_ids=["zhangsan"], content="GD001 派给你了")
    wecom_server.expire_tokens()
    client.send_text(user_ids=["zhangsan"], content="GD002")
    assert wecom_server.token_requests == 2
    assert result.provider_id == wecom_server.sent[0]["msgid"]
    assert [(s["touser"], s["agentid"], s["text"]["content"]) for s in wecom_server.sent] == [
        ("zhangsan", 1000002, "GD001 派给你了"), ("zhangsan", 1000002, "GD002")]
    with pytest.raises(ProviderError) as excinfo:
        client.send_text(user_ids=["nobody"], content="x")
    assert (excinfo.value.code, excinfo.value.retry) == ("81013", False)
    assert len(wecom_server.sent) == 2
