"""Article bodies: Markdown rendered to HTML, then sanitised (nh3, an allow-list) on every render,
so a stored `<script>`, an `onerror=` or a `javascript:` link is inert whoever wrote it."""

import markdown  # type: ignore[import-untyped]  # no stubs installed (types-Markdown is not a dependency)
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
    "blockquote", "code", "pre", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "dl", "dt", "dd", "sup", "sub", "kbd", "mark", "span", "div",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str | None) -> str:
    """Safe HTML for a Markdown text (tables, fenced code, lists; raw HTML only if allow-listed)."""
    html = markdown.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists", "nl2br"],
                             output_format="html")
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
                        strip_comments=True)
    return mark_safe(cleaned)  # noqa: S308 — sanitised by nh3 just above
