"""Patrol pages: the rounds list (mine, missed, late), a round on the phone (scan, answer, send —
kept on the phone while offline), findings raised as work orders in one tap, the site-walk
standard per person and week. Views parse input and call services and selectors only."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, NotFound
from kefu.core.pages import render_list
from kefu.org.decorators import staff_required
from kefu.patrols import selectors, services, workflow
from kefu.patrols.choices import ItemKind, RoundStatus
from kefu.patrols.models import Finding

STATUS_COLORS = {RoundStatus.PLANNED: "secondary", RoundStatus.IN_PROGRESS: "primary",
                 RoundStatus.COMPLETED: "success", RoundStatus.MISSED: "danger"}


def _week(value: str | None) -> date:
    try:
        return selectors.week_start(date.fromisoformat(value or ""))
    except ValueError:
        return selectors.week_start(timezone.localdate())


@staff_required
@require_GET
def round_list(request):
    actor = request.actor
    qs = selectors.round_list_for_actor(actor=actor)
    params = request.GET
    if params.get("status") in RoundStatus.values:
        qs = qs.filter(status=params["status"])
    if params.get("late") == "true":
        qs = qs.filter(is_late=True)
    if params.get("mine") == "true":
        qs = qs.filter(assignee_id=actor.user_id)
    if params.get("assignee", "").isdigit():
        qs = qs.filter(assignee_id=int(params["assignee"]))
    if params.get("week"):
        begin = datetime.combine(_week(params["week"]), datetime.min.time(), tzinfo=timezone.get_current_timezone())
        qs = qs.filter(due_at__gte=begin, due_at__lt=begin + timedelta(days=7))
    visible = selectors.round_list_for_actor(actor=actor)
    counts = {"missed": visible.filter(status=RoundStatus.MISSED).count(),
              "late": visible.filter(is_late=True).count()}
    return render_list(request, queryset=qs, page_template="patrols/round_list.html",
                       partial_template="patrols/partials/round_results.html", name="rounds",
                       context={"status_colors": STATUS_COLORS, "statuses": RoundStatus.choices, "counts": counts,
                                "may_manage": actor.role in workflow.MANAGER_ROLES})


@staff_required
@require_GET
def round_detail(request, pk):
    try:
        round = selectors.round_get_for_actor(actor=request.actor, pk=pk)
    except NotFound:
        raise Http404 from None
    detail = selectors.round_detail(round=round)
    return render(request, "patrols/round_detail.html", {
        **detail, "status_colors": STATUS_COLORS, "kinds": ItemKind,
        "may_walk": round.assignee_id == request.actor.user_id and round.status != RoundStatus.COMPLETED,
        "api_url": f"/api/v1/patrol-rounds/{round.pk}/checkpoints/"})


def _answers_from_form(post, checkpoint) -> list[dict]:
    answers = []
    for item in checkpoint.items.all():
        answers.append({"item": item.pk, "result": post.get(f"item_{item.pk}_result") or "",
                        "value": post.get(f"item_{item.pk}_value") or None,
                        "note": post.get(f"item_{item.pk}_note") or ""})
    return answers


@staff_required
@require_POST
def checkpoint_visit(request, pk, checkpoint):
    """The form without JavaScript (the phone's script sends the same answers to the API)."""
    try:
        round = selectors.round_get_for_actor(actor=request.actor, pk=pk)
        cp = round.route.checkpoints.prefetch_related("items").filter(pk=checkpoint).first()
        if cp is None:
            raise Http404
        photos = {key[len("photo_"):]: f for key, f in request.FILES.items() if key.startswith("photo_")}
        services.patrol_round_visit(round=round, checkpoint_id=cp.pk, actor_user=request.user,
                                    tag=request.POST.get("tag", ""), answers=_answers_from_form(request.POST, cp),
                                    photos=photos)
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(reverse("patrols:round", args=[pk]))
    messages.success(request, _("Checkpoint recorded."))
    return redirect(reverse("patrols:round", args=[pk]))


@staff_required
@require_POST
def finding_work_order(request, pk):
    visible = selectors.round_list_for_actor(actor=request.actor).values("pk")
    finding = Finding.objects.filter(pk=pk, round__in=visible).first()
    if finding is None:
        raise Http404
    try:
        order = services.finding_to_work_order(finding=finding, actor_user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(reverse("patrols:round", args=[finding.round_id]))
    messages.success(request, _("Work order %(number)s raised from the finding.") % {"number": order.number})
    return redirect(reverse("workorders:detail", args=[order.pk]))


@staff_required
@require_GET
def standard(request):
    week = _week(request.GET.get("week"))
    rows = selectors.site_walk_standard(actor=request.actor, week=week)
    for row in rows:
        row["url"] = reverse("patrols:list") + f"?assignee={row['assignee']}&week={row['week']}"
        row["rate"] = (Decimal(row["completed"]) * 100 / row["due"]).quantize(Decimal("1")) if row["due"] else None
    return render(request, "patrols/standard.html", {
        "rows": rows, "week": week, "previous": week - timedelta(days=7), "next": week + timedelta(days=7),
        "week_end": week + timedelta(days=6)})


