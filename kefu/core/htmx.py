"""htmx helpers: one view renders a whole page, or only its partial for an htmx request."""


def is_partial(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def pick_template(request, page: str, partial: str) -> str:
    return partial if is_partial(request) else page
