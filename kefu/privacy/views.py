"""Pages of personal-data protection: the reveal-with-reason partial and the access-log page."""

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, InvalidInput, NotFound
from kefu.core.pagination import CappedPaginator
from kefu.org.selectors import actor_for_user, staff_list
from kefu.privacy import selectors, services
from kefu.privacy.templatetags.privacy import mask_value

_UID = re.compile(r"^pv\d{1,9}$")
PAGE_SIZE = 50


@login_required
@require_POST
def reveal(request):
    """htmx: the full value in place of the masked one, or the form again with the error."""
    uid = request.POST.get("uid", "")
    if not _UID.match(uid):
        uid = "pv0"
    field = request.POST.get("field", "")
    customer_id = request.POST.get("customer", "")
    phone_id = request.POST.get("phone") or None
    if not customer_id.isdigit() or (phone_id is not None and not phone_id.isdigit()):
        raise Http404
    try:
        value = services.personal_data_reveal(actor_user=request.user, customer_id=int(customer_id), field=field,
                                              reason=request.POST.get("reason", ""), phone_id=phone_id)
    except InvalidInput as error:
        masked = request.POST.get("masked", "")
        return render(request, "privacy/partials/personal_value.html", {
            "uid": uid, "customer_id": customer_id, "field": field, "phone_id": phone_id or "",
            "masked": masked or mask_value(field, ""), "may_reveal": True, "reason": request.POST.get("reason", ""),
            "reason_error": "; ".join(sum(error.fields.values(), [])) or error.message}, status=400)
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        raise PermissionDenied(error.message) from None
    return render(request, "privacy/partials/revealed_value.html", {"uid": uid, "field": field, "value": value})


@login_required
@require_GET
def access_log(request):
    actor = actor_for_user(request.user)
    if not selectors.may_audit(actor):
        raise PermissionDenied(_("Only a quality inspector or an administrator may read the personal-data access log."))
    who = request.GET.get("who", "")
    date_from = parse_date(request.GET.get("date_from", "") or "") if request.GET.get("date_from") else None
    date_to = parse_date(request.GET.get("date_to", "") or "") if request.GET.get("date_to") else None
    qs = selectors.access_log_list(actor=actor, who=int(who) if who.isdigit() else None,
                                   whose=request.GET.get("whose", "")[:100], date_from=date_from, date_to=date_to)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "privacy/access_log.html", {
        "page": page, "rows": page.object_list, "staff": list(staff_list(active_only=False)),
        "params": request.GET, "who": who,
    })
