"""Customer UI: the as-you-type lookup partial used by the intake form."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kefu.customers import selectors


@login_required
def lookup(request):
    q = request.GET.get("q", "")
    customers = list(selectors.customer_search(q=q, limit=10)) if len(q.strip()) >= 1 else []
    return render(request, "customers/partials/lookup_results.html", {"customers": customers, "q": q})
