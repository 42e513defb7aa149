"""Agent UI for work orders (htmx): queues, intake, the work-order page and its dialogs."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from kefu.core.errors import NotFound
from kefu.org.selectors import actor_for_user
from kefu.workorders import selectors


def _actor_or_404(request):
    actor = actor_for_user(request.user)
    if actor is None:
        raise Http404
    return actor


@login_required
def queue(request):
    actor = _actor_or_404(request)
    return render(request, "workorders/queue.html", {"counts": selectors.queue_counts(actor=actor)})


@login_required
def attachment(request, pk, attachment_id):
    """Stream an attachment after checking that the user may see its work order."""
    actor = _actor_or_404(request)
    try:
        order = selectors.work_order_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None
    item = order.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404
    inline = item.is_image or item.content_type == "application/pdf"
    return FileResponse(item.file.open("rb"), content_type=item.content_type, as_attachment=not inline,
                        filename=item.original_name)
