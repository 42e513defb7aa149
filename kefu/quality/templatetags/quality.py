"""Template helpers of the QA pages: status badges and action labels."""

from django import template
from django.utils.html import format_html

from kefu.quality.choices import STATUS_COLORS, AppealDecision, CheckAction, CheckStatus

register = template.Library()

_DARK_TEXT = {"warning", "info", "light"}


@register.simple_tag
def qa_status_badge(value):
    if not value:
        return ""
    try:
        label = CheckStatus(value).label
    except ValueError:
        label = value
    color = STATUS_COLORS.get(value, "secondary")
    text = " text-dark" if color in _DARK_TEXT else ""
    return format_html('<span class="badge text-bg-{}{} kefu-qa-status" data-status="{}">{}</span>', color, text,
                       value, label)


@register.simple_tag
def qa_result_badge(check):
    if check.passed is None:
        return ""
    if check.passed:
        return format_html('<span class="badge text-bg-success kefu-qa-result" data-passed="1">{} · {}</span>',
                           check.score, _passed_label(True))
    return format_html('<span class="badge text-bg-danger kefu-qa-result" data-passed="0">{} · {}</span>',
                       check.score, _passed_label(False))


def _passed_label(passed: bool) -> str:
    from django.utils.translation import pgettext

    return pgettext("qa result", "Pass") if passed else pgettext("qa result", "Fail")


@register.filter
def qa_action_label(value) -> str:
    try:
        return str(CheckAction(value).label)
    except ValueError:
        return value


@register.filter
def qa_decision_label(value) -> str:
    try:
        return str(AppealDecision(value).label)
    except ValueError:
        return value or ""
