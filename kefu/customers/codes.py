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


def asset_sort_key(value: str | None) -> str:
    """A key whose plain string order is the natural order of asset codes: unit 101 before 1001,
    building 2 before 10 ("CH-1-101" < "CH-1-1001", "CH-2-101" < "CH-10-101").

    Made of digits only, so any database collation orders it the same way (PostgreSQL under a
    linguistic collation ignores punctuation; SQLite compares bytes): a separator is "0" (a
    shorter code sorts first), a number "1" + its length (2 digits) + its digits without leading
    zeros, any other character "2" + its code point (7 digits). Based on the normalised code
    (`asset_code_key`), so "3栋2单元1201" sorts with "3-2-1201".
    """
    out = []
    for token in _SORT_TOKENS.findall(asset_code_key(value)):
        if token == "-":
            out.append("0")
        elif token.isdigit():
            digits = token.lstrip("0") or "0"
            out.append(f"1{len(digits):02d}{digits}")
        else:
            out.append(f"2{ord(token):07d}")
    return "".join(out)[:SORT_KEY_LENGTH]


SORT_KEY_LENGTH = 255
_SORT_TOKENS = re.compile(r"[0-9]+|-|.", re.S)
