"""The standards board (htmx-free, plain Bootstrap pages): the board of a site or group for a
period, each standard's records (drill-down) with its rule, the rule form and its history, and the
evidence export. Views parse input and call selectors (reads) and services (writes)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, InvalidInput, NotAllowed, NotFound
from kefu.org.decorators import staff_required
from kefu.standards import exports, selectors, services
from kefu.standards.choices import STATUS_COLORS, Status
from kefu.standards.registry import DEFINITIONS


def _reader(request):
    try:
        return selectors.require_reader(request.actor)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from None


def _query(request) -> dict:
    """start/end (default: the last complete quarter) and the scope from the query string."""
    params = {k: (request.GET.get(k) or "").strip() for k in ("start", "end", "site", "department")}
    if not params["start"] and not params["end"]:
        start, end = selectors.default_period(timezone.localdate())
        params["start"], params["end"] = start.isoformat(), end.isoformat()
    return params


def _parse(request):
    params = _query(request)
    scope = selectors.parse_board_scope(params)
    period = selectors.parse_board_period(params, scope)
    return params, scope, period


def _scope_choices(actor) -> dict:
    from kefu.reports.selectors import scope_options

    options = scope_options(actor=actor)
    return {"sites": list(options["site"].order_by("code")), "departments": list(options["department"])}


def _periods(today: dt.date) -> list[tuple[str, str, str]]:
    """Quick choices: last quarter, this quarter, last year, this year."""
    q_start, q_end = selectors.default_period(today)
    this_q = q_end + dt.timedelta(days=1)
    return [(_("Last quarter"), q_start.isoformat(), q_end.isoformat()),
            (_("This quarter"), this_q.isoformat(), today.isoformat()),
            (_("Last year"), dt.date(today.year - 1, 1, 1).isoformat(), dt.date(today.year - 1, 12, 31).isoformat()),
            (_("This year"), dt.date(today.year, 1, 1).isoformat(), today.isoformat())]


def _decorate(rows: list[dict]) -> list[dict]:
    labels = dict(Status.choices)
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
        row["status_color"] = STATUS_COLORS.get(row["status"], "secondary")
        row["value_text"] = exports._value(row)
        row["target_text"] = exports._target(row)
    return rows


@staff_required
@require_GET
def board(request):
    actor = _reader(request)
    try:
        params, scope, period = _parse(request)
        rows = _decorate(selectors.board(actor=actor, period=period, scope=scope))
        error = None
    except InvalidInput as exc:
        params, rows, error, scope = _query(request), [], exc, None
    query = urlencode({k: v for k, v in params.items() if v})
    return render(request, "standards/board.html", {
        "rows": rows, "params": params, "error": error, "query": query, "scope": scope,
        "periods": _periods(timezone.localdate()), "warnings": selectors.warnings_for(actor=actor),
        "counts": {s: sum(1 for r in rows if r["status"] == s) for s in Status.values},
        **_scope_choices(actor)}, status=400 if error else 200)


@staff_required
@require_GET
def records(request, code: str):
    actor = _reader(request)
    if code not in DEFINITIONS:
        raise Http404
    try:
        params, scope, period = _parse(request)
        rows = selectors.board(actor=actor, period=period, scope=scope, codes=[code], records=True)
    except InvalidInput as exc:
        return render(request, "standards/board.html", {"rows": [], "params": _query(request), "error": exc,
                                                         "periods": [], "warnings": [], "counts": {},
                                                         **_scope_choices(actor)}, status=400)
    if not rows:
        raise Http404
    row = _decorate(rows)[0]
    standard = selectors.standard_get(code=code)
    editable = selectors.may_change_rules(actor) and bool(scope.site_id or scope.department_id)
    rule = selectors.rules_in_force(standards=[standard], scope=scope)[code]
    own = rule.rule if rule.origin == ("site" if scope.site_id else "department") else None
    definition = DEFINITIONS[code]
    fields = [{"name": name, "label": p.label, "kind": p.kind,
               "value": row["rule"].get(name, p.default), "sourced": name in definition.sourced}
              for name, p in definition.params.items()]
    query = urlencode({k: v for k, v in params.items() if v})
    return render(request, "standards/records.html", {
        "row": row, "standard": standard, "params": params, "query": query, "scope": scope, "editable": editable,
        "fields": fields, "own_rule": own, "origin": rule.origin,
        "history": list(selectors.rule_history(standard=standard, scope=scope)),
        "page_records": row["records"][:500], "more": max(0, len(row["records"]) - 500)})


@staff_required
@require_POST
def rule_set(request, code: str):
    back = request.POST.get("back") or ""
    params = {k: request.POST.get(k, "") for k in ("site", "department")}
    try:
        scope = selectors.parse_board_scope(params)
        definition = DEFINITIONS.get(code)
        if definition is None:
            raise NotFound(_("No such service standard."))
        parameters = {name: request.POST.get(f"param_{name}", "") for name in definition.params
                      if name not in definition.sourced}
        version = request.POST.get("version") or None
        if request.POST.get("reset"):
            services.standard_rule_reset(actor_user=request.user, code=code, scope=scope, version=int(version or 0))
            messages.success(request, _("The rule is back to the one above this site or group."))
        else:
            services.standard_rule_set(actor_user=request.user, code=code, scope=scope, parameters=parameters,
                                       target=request.POST.get("target", ""),
                                       version=int(version) if version else None)
            messages.success(request, _("Rule saved; the change is recorded."))
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from None
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        fields = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in (getattr(error, "fields", None) or {}).items())
        messages.error(request, f"{error.message} {fields}".strip())
    if not back.startswith("/standards/"):
        back = "/standards/"
    return redirect(back)


@staff_required
@require_GET
def export(request, file_format: str):
    actor = _reader(request)
    if file_format not in exports.CONTENT_TYPES:
        raise Http404
    try:
        params, scope, period = _parse(request)
    except InvalidInput as error:
        return HttpResponse(str(error.message), status=400, content_type="text/plain; charset=utf-8")
    rows = _decorate(selectors.board(actor=actor, period=period, scope=scope, records=True))
    scope_text = " · ".join(str(v) for v in scope.labels.values()) or _("Whole center")
    title = _("Service standards — evidence of the complaint-handling standard (GB/T 19012)")
    subtitle = f"{period.start} – {period.end} · {scope_text}"
    render_file = exports.board_xlsx if file_format == "xlsx" else exports.board_pdf
    body = render_file(rows=rows, title=title, subtitle=subtitle)
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[file_format])
    response["Content-Disposition"] = (f'attachment; filename="kefu-standards-{period.start:%Y%m%d}-'
                                       f'{period.end:%Y%m%d}.{file_format}"')
    return response
