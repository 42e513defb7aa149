"""Customer UI: the as-you-type lookup partial used by the intake form."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kefu.customers import selectors
from kefu.customers.phones import phone_digits_query
from kefu.org.selectors import actor_for_user


@login_required
@require_GET
def lookup(request):
    """htmx: customers matching what the agent typed (phone, name, initials or unit code)."""
    if actor_for_user(request.user) is None:
        raise PermissionDenied
    q = request.GET.get("q") or request.GET.get("customer_q") or ""
    customers = list(selectors.customer_search(q=q, limit=10)) if q.strip() else []
    # Prefill the "new customer" row from what was typed: digits are a phone, anything else a name.
    looks_like_phone = bool(phone_digits_query(q)) and not any(ch.isalpha() for ch in q)
    return render(request, "customers/partials/lookup_results.html", {
        "customers": customers, "q": q, "new_phone": q.strip() if looks_like_phone else "",
        "new_name": "" if looks_like_phone else q.strip()})
