"""Template helpers of the knowledge pages: marked matches, article status badges."""

from django import template
from django.utils.html import format_html

from kefu.knowledge.choices import ARTICLE_STATUS_COLORS, ArticleKind, ArticleStatus
from kefu.knowledge.text import highlight

register = template.Library()


@register.filter
def mark(value, terms):
    """The text escaped, with the search terms' matches in <mark>."""
    return highlight(str(value or ""), terms or ())


@register.filter
def mark_snippet(value, terms):
    """Like `mark`, only the part around the first match (or the start)."""
    return highlight(" ".join(str(value or "").split()), terms or (), window=90)


@register.simple_tag
def article_status_badge(status):
    color = ARTICLE_STATUS_COLORS.get(status, "secondary")
    dark = " text-dark" if color in ("warning", "light") else ""
    border = " border" if color == "light" else ""
    try:
        label = ArticleStatus(status).label
    except ValueError:
        label = status
    return format_html('<span class="badge text-bg-{}{}{} kefu-article-status">{}</span>', color, dark, border, label)


@register.filter
def article_kind_label(value):
    try:
        return ArticleKind(value).label
    except ValueError:
        return value
