"""The provider-facing endpoints: no session, no CSRF; each authenticates the provider the way
its protocol says (CTI: HMAC signature; WeChat: signature over token/timestamp/nonce) before
anything is read or stored. Bad input gets a clear 4xx with the JSON error shape and is logged;
nothing is half-written."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kefu.channels import cti, wechat
from kefu.channels.choices import AccountKind
from kefu.channels.models import ChannelAccount
from kefu.core.errors import ApplicationError, error_body

log = logging.getLogger(__name__)


def _error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields), status=status)


def account_for(pk, kind: str) -> ChannelAccount | None:
    try:
        return ChannelAccount.objects.filter(pk=int(pk), kind=kind).first()
    except (TypeError, ValueError):
        return None


@csrf_exempt
@require_POST
def cti_events(request: HttpRequest, account_id: int) -> JsonResponse:
    account = account_for(account_id, AccountKind.CTI)
    if account is None:
        log.warning("cti: unknown account %s", account_id)
        return _error(404, "not_found", _("Unknown channel account."))
    body = request.body
    if len(body) > cti.MAX_BODY_BYTES:
        log.warning("cti %s: body of %s bytes refused", account.pk, len(body))
        return _error(413, "too_large", _("The body is too large."))
    try:
        cti.verify(account, timestamp=request.headers.get("X-Kefu-Timestamp"),
                   signature=request.headers.get("X-Kefu-Signature"), body=body)
    except cti.BadSignature as error:
        log.warning("cti %s: %s", account.pk, error)
        return _error(401, "bad_signature", _("Missing, wrong or expired signature."))
    if account.is_paused:
        log.info("cti %s: paused, event refused", account.pk)
        return _error(409, "paused", _("This channel account is paused."))
    try:
        event = cti.parse_event(body)
        call, created = cti.receive_event(account=account, body=body, event=event)
    except ApplicationError as error:
        log.warning("cti %s: refused: %s", account.pk, error.message)
        return _error(error.status_code, error.code, error.message, error.fields)
    return JsonResponse({"status": "stored" if created else "duplicate", "call": call.pk if call else None,
                         "call_status": call.status if call else None}, status=200)


@csrf_exempt
def wechat_callback(request: HttpRequest, account_id: int) -> HttpResponse:
    """The official account's server URL: GET verifies, POST delivers a message (answered
    "success" at once; the worker does the rest)."""
    account = account_for(account_id, AccountKind.WECHAT_MP)
    if account is None:
        log.warning("wechat: unknown account %s", account_id)
        return _error(404, "not_found", _("Unknown channel account."))
    if request.method == "GET":
        try:
            return HttpResponse(wechat.verify_url(account, request.GET), content_type="text/plain")
        except wechat.BadSignature:
            log.warning("wechat %s: verification with a wrong signature", account.pk)
            return _error(401, "bad_signature", _("Wrong signature."))
        except wechat.BadMessage:
            return _error(400, "invalid", _("echostr is missing."), {"echostr": [_("This field is required.")]})
    if request.method != "POST":
        return _error(405, "method_not_allowed", _("Use GET or POST."))
    if len(request.body) > wechat.MAX_BODY_BYTES:
        log.warning("wechat %s: body of %s bytes refused", account.pk, len(request.body))
        return _error(413, "too_large", _("The body is too large."))
    try:
        item, created = wechat.receive(account, request.GET, request.body)
    except wechat.BadSignature as error:
        log.warning("wechat %s: %s", account.pk, error)
        return _error(401, "bad_signature", _("Wrong signature."))
    except wechat.BadMessage as error:
        log.warning("wechat %s: %s", account.pk, error)
        return _error(400, "invalid", _("The message is not valid WeChat XML."), {"body": [str(error)]})
    if account.is_paused:
        # Stored (nothing is lost) but not taken in while the account is paused.
        log.info("wechat %s: paused, item %s kept unprocessed", account.pk, item.pk)
    elif created:
        from kefu.channels.tasks import process_inbound_item_task

        process_inbound_item_task(item.pk)
    return HttpResponse("success", content_type="text/plain")
