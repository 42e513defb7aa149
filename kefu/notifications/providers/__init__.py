"""Clients of the messaging providers a Chinese service center uses, each speaking the provider's
documented HTTP API (no SDK): Alibaba Cloud SMS (RPC, signature v1), Tencent Cloud SMS
(TC3-HMAC-SHA256), WeChat official-account template messages and WeCom application messages
(access tokens cached and refreshed). Every endpoint is a constructor argument, so tests run
them against a local server that checks each request the way the provider does.

Every client answers a send with a `SendResult` or raises `ProviderError`, which says whether a
later retry can help (`retry`) and carries the provider's code and message as the reason.
"""
