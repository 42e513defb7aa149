"""`request.actor`: who is acting, resolved once per request, lazily.

The Actor (`kefu.org.selectors.Actor`) is looked up on first use, from whatever `request.user`
is at that moment — for the API that is the user DRF authenticated (token or session), since
DRF sets the authenticated user on the underlying request. For someone who is not active staff
it is falsy: test with `if not request.actor`, never `is None` (it is a lazy proxy).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from kefu.org.selectors import actor_for_user


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # `actor` is Kefu's own attribute of the request, unknown to Django's stubs.
        request.actor = SimpleLazyObject(lambda: actor_for_user(getattr(request, "user", None)))  # type: ignore[attr-defined]
        return self.get_response(request)
