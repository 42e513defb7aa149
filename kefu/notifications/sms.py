"""SMS length and cost: how many parts (条) a text takes, as Chinese providers bill it.

A text with any character outside the GSM 7-bit alphabet (all Chinese text) is sent as UCS-2:
70 characters fit one part, a longer text is split into parts of 67. A GSM-only text fits 160,
split into 153. The signature 【…】 the provider puts in front counts as part of the text.
"""

from __future__ import annotations

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_length(text: str) -> tuple[int, bool]:
    """(length in characters as billed, unicode?)"""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        return sum(2 if ch in GSM_EXTENDED else 1 for ch in text), False
    return len(text), True


def sms_parts(text: str, sign_name: str = "") -> int:
    """Parts billed for `text` sent with the signature `sign_name` (0 for an empty text)."""
    full = (f"【{sign_name}】" if sign_name else "") + text
    length, unicode = sms_length(full)
    if not text:
        return 0
    single, split = (70, 67) if unicode else (160, 153)
    if length <= single:
        return 1
    return -(-length // split)
