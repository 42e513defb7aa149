"""The text of each message kind: its variables, the built-in wording (zh/en through the
catalog), the admin's override (`MessageTemplate`) and rendering.

A template is plain text with `{name}` placeholders; only the kind's variables are allowed, and
rendering is a substitution (no attribute access, no format specs), so an edited template can
never reach anything but the values given. The same values go to providers with a template
model (Alibaba/Tencent SMS parameters, WeChat template data), in the order listed here.
"""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kefu.core.errors import InvalidInput

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
ANY_BRACE = re.compile(r"[{}]")

VARIABLES: dict[str, tuple[str, ...]] = {
    "acknowledgement": ("number", "title", "phone"),
    "dispatched": ("number", "team", "technician", "promised"),
    "on_the_way": ("number", "technician"),
    "completed": ("number", "title"),
    "reopened": ("number", "title"),
    "callback_appointment": ("number", "time"),
    "rating_invitation": ("number", "title", "days", "url"),
    "survey_invitation": ("survey", "url"),
    "notice": ("title", "body"),
    "staff": ("text",),
    "verification_code": ("code", "minutes"),
}

# The kinds a customer may switch off. Acknowledgements, notices (a water stop is not
# marketing) and staff messages are service messages and always go out.
OPTIONAL_KINDS = ("dispatched", "on_the_way", "completed", "reopened", "callback_appointment",
                  "rating_invitation", "survey_invitation")

DEFAULTS: dict[str, str] = {
    "acknowledgement": gettext_noop("Your request “{title}” has been registered as {number}. "
                                    "To follow it, call {phone} and give this number."),
    "dispatched": gettext_noop("Work order {number} has been dispatched to {team} ({technician}); "
                               "we will be there by {promised}."),
    "on_the_way": gettext_noop("Work order {number}: {technician} is on the way to you."),
    "completed": gettext_noop("Work order {number} “{title}” is completed. Thank you."),
    "reopened": gettext_noop("Work order {number} “{title}” has been reopened; we are on it again."),
    "callback_appointment": gettext_noop("We will call you about work order {number} at {time}."),
    "rating_invitation": gettext_noop("Your request “{title}” ({number}) has been resolved. Please rate our "
                                      "service (valid for {days} days): {url}"),
    "survey_invitation": gettext_noop("Please tell us what you think of our service: {survey} {url}"),
    "notice": gettext_noop("{title}: {body}"),
    "staff": gettext_noop("{text}"),
    "verification_code": gettext_noop("Your sign-in code is {code} (valid for {minutes} minutes). Do not share it."),
}


def check_template(kind: str, text: str, *, field: str = "text") -> None:
    """InvalidInput naming `field` when `text` uses a placeholder the kind does not have, or a
    stray brace."""
    allowed = VARIABLES.get(kind)
    if allowed is None:
        raise InvalidInput(_("Unknown kind."), fields={"kind": [_("Unknown kind.")]})
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in allowed})
    if unknown:
        message = _("Unknown variable {%(name)s}; this kind has: %(allowed)s") % {
            "name": unknown[0], "allowed": ", ".join("{" + v + "}" for v in allowed)}
        raise InvalidInput(message, fields={field: [message]})
    if ANY_BRACE.search(PLACEHOLDER.sub("", text)):
        message = _("Braces are only allowed around a variable name, like {number}.")
        raise InvalidInput(message, fields={field: [message]})


def substitute(text: str, params: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), "")), text)


def template_text(kind: str, language: str) -> tuple[str, bool]:
    """(text, active) of a kind in a language: the admin's template when there is one, else the
    built-in wording translated."""
    from kefu.notifications.models import MessageTemplate

    row = MessageTemplate.objects.filter(kind=kind, language=language).values_list("text", "is_active").first()
    if row is not None:
        return row[0], row[1]
    with translation.override(language):
        return _(DEFAULTS[kind]), True


def render(kind: str, language: str, params: dict[str, str]) -> tuple[str, bool]:
    """(message text, active) of a kind for these values, in `language`."""
    text, active = template_text(kind, language)
    return substitute(text, params), active


def missing_params(kind: str, params: dict[str, str]) -> list[str]:
    return [name for name in VARIABLES[kind] if name not in params]
