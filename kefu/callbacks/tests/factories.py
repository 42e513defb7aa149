"""Factories for callbacks: orders resolved through the real gate, rules and canvas PNGs."""

import base64
import struct
import zlib
from decimal import Decimal

from kefu.callbacks.models import Callback, CallbackRule
from kefu.workorders.tests.factories import advance, make_work_order


def resolve(order, actor):
    """Accept (if new) and resolve an order through the gate."""
    steps = ["accept"] if order.status == "new" else []
    return advance(order, actor, *steps, ("resolve", {"resolution": "已处理"}))


def make_resolved(*, actor, type: str = "complaint", **kwargs):
    return resolve(make_work_order(actor=actor, type=type, **kwargs), actor)


def callback_of(order) -> Callback:
    return Callback.objects.get(work_order=order, status="open")


def make_rule(**kwargs) -> CallbackRule:
    kwargs.setdefault("name", f"rule-{CallbackRule.objects.count() + 1}")
    kwargs.setdefault("precedence", 10)
    for key in ("sample_percent", "onsite_percent"):
        if key in kwargs:
            kwargs[key] = Decimal(str(kwargs[key]))
    return CallbackRule.objects.create(**kwargs)


def png_bytes(width: int = 120, height: int = 60) -> bytes:
    """A real (white) PNG of the given size, like a canvas export."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff" * (width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_data_url(width: int = 120, height: int = 60) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(width, height)).decode()
