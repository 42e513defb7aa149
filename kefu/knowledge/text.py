"""Text for exact Chinese search: normalisation, query terms, character n-grams, highlights.

Membership is defined here, once: a text matches a query when, after `normalise` (NFKC, which
folds full-width and half-width forms, then case folding), it contains every term of the
normalised query (terms are separated by white space) as a substring of one of its fields.
That is `LIKE '%term%'` over each field, modulo case and width, for terms of any length.

The index (index.py, backends.py) stores the unigrams and bigrams of each white-space-free chunk
of each field. A term of one or two characters is in a field exactly when it is one of those
n-grams; a longer term's bigrams are all present when it is (a superset), and the candidates are
then checked with a plain substring test over the stored normalised text, so the result is the
same set a substring scan returns. No word segmenter decides membership: jieba (keywords.py)
only ranks and suggests.
"""

import html
import re
import unicodedata
from dataclasses import dataclass

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kefu.core.errors import field_error

# A query longer than this is not a search any more (and would make a long n-gram query).
MAX_QUERY_CHARS = 100
MAX_TERMS = 8
# Fields of one order are stored joined by this: a term never holds white space, so no match
# can span two fields.
FIELD_SEPARATOR = "\n"


def normalise(value: str | None) -> str:
    """NFKC (full-width → half-width, compatibility forms), then case folding (and NFKC again, as
    folding can leave a non-normalised string)."""
    if not value:
        return ""
    value = unicodedata.normalize("NFKC", value).casefold()
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


@dataclass(frozen=True)
class Query:
    """A parsed search: its normalised terms (all must match), or an order-number prefix."""

    raw: str
    terms: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def needs_check(self) -> bool:
        """Whether the n-gram lookup is only a superset (a term longer than two characters)."""
        return any(len(t) > 2 for t in self.terms)


def parse_query(raw: str | None, *, field: str = "search") -> Query:
    """The query's terms: normalised, split on white space, duplicates and terms contained in
    another term dropped (they add nothing to an AND). Too long → a 400 naming `field`."""
    raw = (raw or "").strip()
    if len(raw) > MAX_QUERY_CHARS:
        raise field_error(field, _("Keep the search under %(n)s characters.") % {"n": MAX_QUERY_CHARS})
    words = list(dict.fromkeys(normalise(raw).split()))
    if len(words) > MAX_TERMS:
        raise field_error(field, _("Use at most %(n)s search terms.") % {"n": MAX_TERMS})
    terms = tuple(w for w in words if not any(w != other and w in other for other in words))
    return Query(raw=raw, terms=terms)


def validate_query(value: str) -> None:
    """A form/filter field validator with the same limits as `parse_query`."""
    from django.core.exceptions import ValidationError

    from kefu.core.errors import InvalidInput

    try:
        parse_query(value)
    except InvalidInput as error:
        raise ValidationError(error.message, code="invalid") from None


def text_grams(segments) -> set[str]:
    """Unigrams and bigrams of each white-space-free chunk of each (normalised) segment."""
    out: set[str] = set()
    for segment in segments:
        for chunk in segment.split():
            out.update(chunk)
            out.update(chunk[i:i + 2] for i in range(len(chunk) - 1))
    return out


def term_grams(term: str) -> list[str]:
    """The n-grams a text must hold to contain `term`: itself (one character) or its bigrams."""
    if len(term) == 1:
        return [term]
    return list(dict.fromkeys(term[i:i + 2] for i in range(len(term) - 1)))


def contains_all(segments, query: Query) -> bool:
    """The definition of a match, in Python (the tests' reference and the articles' filter)."""
    return all(any(term in s for s in segments) for term in query.terms)


# --- highlighting --------------------------------------------------------------------------------

def _normalised_with_origins(text: str) -> tuple[str, list[int]]:
    chars, origins = [], []
    for i, c in enumerate(text):
        n = c if c.isascii() and not c.isupper() else normalise(c)
        chars.append(n)
        origins.extend([i] * len(n))
    return "".join(chars), origins


def match_spans(text: str, terms) -> list[tuple[int, int]]:
    """[start, end) spans of `text` (original characters) where a term occurs, merged."""
    if not text or not terms:
        return []
    folded, origins = _normalised_with_origins(text)
    marked = [False] * len(text)
    for term in terms:
        start = folded.find(term)
        while start != -1:
            for k in range(start, start + len(term)):
                marked[origins[k]] = True
            start = folded.find(term, start + 1)
    spans, i = [], 0
    while i < len(text):
        if marked[i]:
            j = i
            while j < len(text) and marked[j]:
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


def highlight(text: str | None, terms, *, window: int | None = None) -> str:
    """HTML: `text` escaped, each match wrapped in <mark>; with `window`, only the part around the
    first match (… on the cut sides), or the start of the text when nothing matches."""
    text = text or ""
    spans = match_spans(text, terms)
    start, end = 0, len(text)
    if window is not None:
        if spans:
            start = max(0, spans[0][0] - window // 3)
        end = min(len(text), start + window)
    parts, pos = [], start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        parts.append(html.escape(text[pos:a]))
        parts.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    parts.append(html.escape(text[pos:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308 — every piece is escaped above


_SPACES = re.compile(r"\s+")


def one_line(value: str | None) -> str:
    return _SPACES.sub(" ", value or "").strip()
