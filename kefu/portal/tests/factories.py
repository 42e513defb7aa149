"""Portal test helpers: a customer with a unit, and signing in with the code from the outbox."""

from __future__ import annotations

import itertools
from typing import Any

from kefu.customers.tests.factories import make_asset, make_customer
from kefu.notifications.models import OutboundMessage
from kefu.portal import services

_seq = itertools.count(1)


def make_resident(*, phone: str = "", name: str = "", unit_code: str = "", building: Any = None) -> tuple[Any, Any]:
    """(customer, unit): a customer living in a unit (an open occupancy) with a mobile number."""
    n = next(_seq)
    unit = make_asset(code=unit_code or f"P-{n}-1201", building=building)
    customer = make_customer(name=name or f"业主{n}", phones=[phone or f"139{n:08d}"], assets=[unit])
    return customer, unit


def last_code(phone: str) -> str:
    """The code of the last sign-in SMS to `phone`, as the outbox holds it before it is sent."""
    message = OutboundMessage.objects.filter(to_address=phone, kind="verification_code").order_by("-id").first()
    assert message is not None
    return str(message.params["code"])


def sign_in(phone: str, ip: str = "10.0.0.1") -> tuple[Any, str]:
    """(account, token) through the real code path."""
    services.code_request(phone=phone, ip=ip)
    return services.token_for_code(phone=phone, code=last_code(phone), ip=ip, consent=True)


def bearer(api_client: Any, token: str) -> Any:
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api_client
