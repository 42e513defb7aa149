"""Normalised asset codes: every way people write a unit maps to the one key the lookup searches."""

import re

_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
              "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ－"}
# Building and entrance words become separators: 3栋2单元1201, 3号楼2单元1201室, A座1203.
_SEPARATOR_WORDS = re.compile(r"(号楼|栋|幢|座|单元|楼)")
_TRAILING_WORDS = re.compile(r"(室|号|房)$")
_SEPARATORS = re.compile(r"[\s_/\\—–·.]+")
_DASHES = re.compile(r"-{2,}")


def asset_code_key(value: str | None) -> str:
    """'3栋2单元1201' → '3-2-1201'; ' a-1203 ' → 'A-1203'; 'BB100001' stays."""
    value = (value or "").strip().translate(_FULLWIDTH).upper()
    value = _TRAILING_WORDS.sub("", value)
    value = _SEPARATOR_WORDS.sub("-", value)
    value = _SEPARATORS.sub("-", value)
    return _DASHES.sub("-", value).strip("-")[:64]
