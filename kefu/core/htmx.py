"""htmx helpers: one view renders a whole page, or only its partial for an htmx request."""

from django.http import HttpRequest


def is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


def pick_template(request: HttpRequest, page: str, partial: str) -> str:
    return partial if is_partial(request) else page
