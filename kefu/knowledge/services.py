"""Every write of the knowledge app: articles (create, edit, submit → publish, send back, archive,
attach, vote), cases made from resolved orders, and canned replies (write, apply).

Each function is one transaction; articles change status only through `article_transition`,
which compares-and-swaps on `version` and writes one immutable ArticleEvent. Canned-reply macros
act on a work order only through `workorders.services.work_order_transition`.
"""

import mimetypes
import re
import uuid
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, field_error, required_field
from kefu.core.workflow import Change, Workflow, choices_label, run_transition
from kefu.knowledge import workflow
from kefu.knowledge.choices import ArticleAction, ArticleKind, ArticleStatus, MacroAction
from kefu.knowledge.models import Article, ArticleAttachment, ArticleEvent, ArticleVote, CannedReply
from kefu.knowledge.selectors import article_visible, department_in_scope, render_reply
from kefu.knowledge.text import normalise
from kefu.org.models import Department
from kefu.org.selectors import require_actor
from kefu.workorders.choices import HoldReason, Status
from kefu.workorders.models import Category, WorkOrder

MAX_TITLE = 200
MAX_BODY = 50_000
MAX_ANSWER = 5_000
MAX_TAGS, MAX_TAG = 10, 30
MAX_REPLY = 2_000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF87a", "image/gif"),
               (b"GIF89a", "image/gif"), (b"%PDF-", "application/pdf"))


# --- articles --------------------------------------------------------------------------------------

def _search_text(article: Article) -> str:
    return "\n".join(normalise(v) for v in (article.title, article.body, article.answer, " ".join(article.tags)))


def _snapshot(article: Article) -> dict:
    return {"title": article.title, "body": article.body, "answer": article.answer,
            "category": article.category_id, "tags": article.tags,
            "scope_department": article.scope_department_id,
            "review_on": article.review_on.isoformat() if article.review_on else None}


def _clean_fields(actor, fields: dict) -> dict:
    """Validate the writable fields present in `fields` (400 naming the first bad one)."""
    out = {}
    if "title" in fields:
        title = (fields["title"] or "").strip()
        if not title:
            raise required_field("title")
        if len(title) > MAX_TITLE:
            raise field_error("title", _("Keep the title under %(n)s characters.") % {"n": MAX_TITLE})
        out["title"] = title
    for name, limit in (("body", MAX_BODY), ("answer", MAX_ANSWER)):
        if name in fields:
            value = (fields[name] or "").strip()
            if len(value) > limit:
                raise field_error(name, _("Keep this under %(n)s characters.") % {"n": limit})
            out[name] = value
    if "kind" in fields:
        if fields["kind"] not in ArticleKind.values:
            raise field_error("kind", _("“%(value)s” is not a valid choice.") % {"value": fields["kind"]})
        out["kind"] = fields["kind"]
    if "category" in fields:
        category = fields["category"]
        if category is not None and (not isinstance(category, Category) or not category.is_active):
            raise field_error("category", _("Choose an active category."))
        out["category"] = category
    if "tags" in fields:
        tags = [t.strip() for t in (fields["tags"] or []) if isinstance(t, str) and t.strip()]
        tags = list(dict.fromkeys(tags))
        if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in tags):
            raise field_error("tags", _("Use at most %(n)s tags of %(m)s characters each.") % {
                "n": MAX_TAGS, "m": MAX_TAG})
        out["tags"] = tags
    if "scope_department" in fields:
        department = fields["scope_department"]
        if department is not None:
            if not isinstance(department, Department) or not department.is_active:
                raise field_error("scope_department", _("Choose an active department."))
            if not department_in_scope(actor, department):
                raise field_error("scope_department", _("You may only scope articles to your own part of the group."))
        out["scope_department"] = department
    if "review_on" in fields:
        review_on = fields["review_on"]
        if review_on is not None and not isinstance(review_on, date):
            raise field_error("review_on", _("Enter a valid date."))
        out["review_on"] = review_on
    return out


def _event(article: Article, *, action: str, actor_user, now, from_status: str, note: str = "",
           data: dict | None = None) -> ArticleEvent:
    return ArticleEvent.objects.create(article=article, action=action, actor=actor_user, created_at=now,
                                       from_status=from_status, to_status=article.status,
                                       revision=article.revision, note=note, data=data or {})


@transaction.atomic
def article_create(*, actor_user, title: str, body: str = "", answer: str = "", kind: str = ArticleKind.ANSWER,
                   category: Category | None = None, tags: list[str] | None = None,
                   scope_department: Department | None = None, review_on: date | None = None,
                   source_order: WorkOrder | None = None) -> Article:
    """A new draft article (or case) by a writer; the first revision is recorded in its history."""
    actor = require_actor(actor_user)
    if actor.role not in workflow.WRITER_ROLES:
        raise NotAllowed(_("Your role may not write articles."))
    values = _clean_fields(actor, {"title": title, "body": body, "answer": answer, "kind": kind,
                                   "category": category, "tags": tags or [], "scope_department": scope_department,
                                   "review_on": review_on})
    now = timezone.now()
    article = Article(**values, source_order=source_order, created_by=actor_user, created_at=now, updated_at=now)
    article.search_title, article.search_text = normalise(article.title), _search_text(article)
    article.save()
    _event(article, action=ArticleAction.CREATE, actor_user=actor_user, now=now, from_status="",
           data=_snapshot(article))
    return article


def _locked_visible(actor, article) -> Article:
    pk = article.pk if isinstance(article, Article) else article
    found = Article.objects.select_for_update().filter(pk=pk).first()
    if found is None or not article_visible(actor, found):
        raise NotFound(_("Article not found."))
    return found


def _check_version(article: Article, expected_version) -> None:
    if expected_version is not None and int(expected_version) != article.version:
        raise Conflict(_("Someone else changed this article; reload it and try again."), code="concurrent_change")


def _swap(article: Article, now, **changes) -> None:
    updated = Article.objects.filter(pk=article.pk, version=article.version).update(
        version=F("version") + 1, updated_at=now, **changes)
    if updated != 1:
        raise Conflict(_("Someone else changed this article; reload it and try again."), code="concurrent_change")
    article.refresh_from_db()


@transaction.atomic
def article_update(*, article: Article | int, actor_user, expected_version: int | None = None, **fields) -> Article:
    """Edit an article: a new revision (its content kept in the history). Writers edit their own
    drafts; publishers edit drafts, articles in review and published ones."""
    actor = require_actor(actor_user)
    article = _locked_visible(actor, article)
    if not workflow.may_edit(status=article.status, role=actor.role, is_author=article.created_by_id == actor.user_id):
        raise NotAllowed(_("You may not edit this article now."), code="role_not_allowed")
    _check_version(article, expected_version)
    unknown = set(fields) - {"title", "body", "answer", "kind", "category", "tags", "scope_department", "review_on"}
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed."))
    values = _clean_fields(actor, fields)
    changed = {k: v for k, v in values.items() if getattr(article, k) != v}
    if not changed:
        return article
    now = timezone.now()
    for key, value in changed.items():
        setattr(article, key, value)
    search_text = _search_text(article)
    _swap(article, now, revision=F("revision") + 1, search_text=search_text, search_title=normalise(article.title),
          **{(f"{k}_id" if k in ("category", "scope_department") else k): (v.pk if hasattr(v, "pk") else v)
             for k, v in changed.items()})
    _event(article, action=ArticleAction.EDIT, actor_user=actor_user, now=now, from_status=article.status,
           data={**_snapshot(article), "changed": sorted(changed)})
    return article


def _authorize(actor, article: Article, action: str, refusal) -> None:
    is_author = article.created_by_id == actor.user_id
    if action == ArticleAction.SUBMIT and not is_author and actor.role not in workflow.PUBLISHER_ROLES:
        raise NotAllowed(_("Your role may not take this action on this article."), code="role_not_allowed")
    if action == ArticleAction.PUBLISH and is_author and actor.role != "administrator":
        raise NotAllowed(_("Another approver must publish your own article."), code="own_article")


def _apply(article: Article, actor, action: str, data: dict, now) -> Change:
    note = (data.get("note") or "").strip()
    if len(note) > MAX_ANSWER:
        raise field_error("note", _("Keep this under %(n)s characters.") % {"n": MAX_ANSWER})
    changes: dict = {}
    if action == ArticleAction.PUBLISH:
        changes.update(published_at=now, published_by_id=actor.user_id)
    return Change(changes=changes, body=note)


def _record(article: Article, *, action: str, actor_user, now, from_status: str, to_status: str,
            change: Change) -> ArticleEvent:
    article.status = to_status
    return _event(article, action=action, actor_user=actor_user, now=now, from_status=from_status, note=change.body)


FLOW = Workflow(
    model=Article, table=workflow.TABLE, subject=gettext_lazy("article"), not_found=gettext_lazy("Article not found."),
    action_label=choices_label(ArticleAction), status_label=choices_label(ArticleStatus),
    queryset=lambda: Article.objects.all(), can_see=article_visible, apply=_apply, record_event=_record,
    authorize=_authorize)


def article_transition(*, article: Article | int, action: str, actor_user, expected_version: int | str | None = None,
                       note: str = "") -> Article:
    """Submit (draft → review), publish (review → published: a publisher other than the author,
    unless an administrator), send back (review → draft, with a note), archive — through the
    kernel's gate (row lock, 404/403/409/400, compare-and-swap on `version`), one event each."""
    actor = require_actor(actor_user)
    return run_transition(FLOW, obj=article, action=action, actor=actor, actor_user=actor_user,
                          expected_version=int(expected_version) if expected_version is not None and expected_version != "" else None,
                          data={"note": note})


def _sniff(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@transaction.atomic
def article_attachment_add(*, article: Article | int, actor_user, upload: UploadedFile | None) -> ArticleAttachment:
    """Attach a picture (JPEG, PNG, GIF, WebP) or PDF to an article its user may edit."""
    actor = require_actor(actor_user)
    article = _locked_visible(actor, article)
    if not workflow.may_edit(status=article.status, role=actor.role, is_author=article.created_by_id == actor.user_id):
        raise NotAllowed(_("You may not edit this article now."), code="role_not_allowed")
    if upload is None:
        raise required_field("file")
    size = upload.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise field_error("file", _("The file is larger than %(mb)s MB.") % {"mb": MAX_ATTACHMENT_BYTES // 2**20},
                          "file_too_large")
    head = upload.read(16)
    upload.seek(0)
    content_type = _sniff(head)
    if content_type is None or size == 0:
        raise field_error("file", _("Only photos (JPEG, PNG, GIF, WebP) and PDF files are accepted."),
                          "unsupported_file_type")
    original = (upload.name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    upload.name = f"{uuid.uuid4().hex}{mimetypes.guess_extension(content_type) or ''}"
    now = timezone.now()
    item = ArticleAttachment.objects.create(article=article, file=upload, original_name=original,
                                            content_type=content_type, size=size, uploaded_by=actor_user,
                                            uploaded_at=now)
    _event(article, action=ArticleAction.ATTACH, actor_user=actor_user, now=now, from_status=article.status,
           data={"attachment": item.pk, "name": original})
    return item


@transaction.atomic
def article_vote(*, article: Article | int, actor_user, helpful: bool) -> Article:
    """"Was this helpful": one answer per person on a published article (a changed answer moves
    the count); the counts on the article follow."""
    actor = require_actor(actor_user)
    article = _locked_visible(actor, article)
    if article.status != ArticleStatus.PUBLISHED:
        raise Conflict(_("Only published articles can be rated."), code="invalid_transition")
    helpful = bool(helpful)
    now = timezone.now()
    vote = ArticleVote.objects.filter(article=article, user=actor_user).first()
    delta = {"helpful_yes": 0, "helpful_no": 0}
    if vote is None:
        try:
            with transaction.atomic():
                ArticleVote.objects.create(article=article, user=actor_user, helpful=helpful, voted_at=now)
        except IntegrityError:  # the same person voting twice at once: the first one counts
            return article
        delta["helpful_yes" if helpful else "helpful_no"] = 1
    elif vote.helpful != helpful:
        ArticleVote.objects.filter(pk=vote.pk).update(helpful=helpful, voted_at=now)
        delta["helpful_yes"], delta["helpful_no"] = (1, -1) if helpful else (-1, 1)
    if any(delta.values()):
        Article.objects.filter(pk=article.pk).update(helpful_yes=F("helpful_yes") + delta["helpful_yes"],
                                                     helpful_no=F("helpful_no") + delta["helpful_no"])
        article.refresh_from_db()
    return article


# --- cases from orders ------------------------------------------------------------------------

_PHONE_LIKE = re.compile(r"(?<![0-9A-Za-z])\+?\d[\d\- ]{5,}\d[\dXx]?(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def scrub_personal_data(text: str, *, names: list[str], codes: list[str]) -> str:
    """The text without the people, numbers and addresses of an order: names (customer, contact,
    the customer's contacts), unit/account codes, phone and ID numbers (any run of 7+ digits),
    e-mail addresses."""
    text = text or ""
    for value in sorted({v for v in names if v and len(v) >= 2}, key=len, reverse=True):
        text = text.replace(value, _("[customer]"))
    for value in sorted({v for v in codes if v}, key=len, reverse=True):
        text = text.replace(value, _("[unit]"))
    text = _EMAIL.sub(_("[e-mail]"), text)
    return _PHONE_LIKE.sub(_("[number]"), text)


@transaction.atomic
def article_from_order(*, order: WorkOrder | int, actor_user) -> Article:
    """A draft case for the case library from a resolved (or closed) order: what happened (the
    description), what was done (the resolution and the comments the customer saw), and room for
    what to say; the order's personal data removed (scrub_personal_data)."""
    from kefu.workorders.selectors import can_see

    actor = require_actor(actor_user)
    pk = order.pk if isinstance(order, WorkOrder) else order
    found = WorkOrder.objects.select_related("customer", "asset", "category").filter(pk=pk).first()
    if found is None or not can_see(actor, found):
        raise NotFound(_("Work order not found."))
    return _case_from(found, actor_user)


def _case_from(order: WorkOrder, actor_user) -> Article:
    if order.status not in (Status.RESOLVED, Status.CLOSED):
        raise Conflict(_("Only resolved or closed work orders can become cases."), code="invalid_transition")
    names = [order.contact_name]
    codes = [order.asset.code] if order.asset is not None else []
    if order.customer is not None:
        names.append(order.customer.name)
        names += list(order.customer.contacts.values_list("name", flat=True))
    comments = list(order.events.filter(action="comment", internal=False).exclude(body="")
                    .order_by("created_at", "id").values_list("body", flat=True))

    def clean(value: str) -> str:
        return scrub_personal_data(value, names=names, codes=codes)

    body = "\n\n".join([
        f"## {_('What happened')}", clean(order.description),
        f"## {_('What was done')}", clean(order.resolution) or "—",
        *([f"## {_('What the customer was told')}"] + [f"- {clean(c)}" for c in comments] if comments else []),
    ])
    return article_create(actor_user=actor_user, kind=ArticleKind.CASE, title=clean(order.title)[:MAX_TITLE],
                          body=body, answer="", category=order.category if order.category.is_active else None,
                          source_order=order)


# --- canned replies ---------------------------------------------------------------------------

def _clean_reply(actor, fields: dict) -> dict:
    out = {}
    if "title" in fields:
        title = (fields["title"] or "").strip()
        if not title:
            raise required_field("title")
        if len(title) > 100:
            raise field_error("title", _("Keep the title under %(n)s characters.") % {"n": 100})
        out["title"] = title
    if "body" in fields:
        body = (fields["body"] or "").strip()
        if not body:
            raise required_field("body")
        if len(body) > MAX_REPLY:
            raise field_error("body", _("Keep this under %(n)s characters.") % {"n": MAX_REPLY})
        out["body"] = body
    if "macro" in fields:
        if (fields["macro"] or "") not in MacroAction.values:
            raise field_error("macro", _("“%(value)s” is not a valid choice.") % {"value": fields["macro"]})
        out["macro"] = fields["macro"] or ""
    if "hold_reason" in fields:
        if (fields["hold_reason"] or "") not in ["", *HoldReason.values]:
            raise field_error("hold_reason", _("“%(value)s” is not a valid choice.") % {"value": fields["hold_reason"]})
        out["hold_reason"] = fields["hold_reason"] or ""
    if "category" in fields:
        category = fields["category"]
        if category is not None and not isinstance(category, Category):
            raise field_error("category", _("Choose an active category."))
        out["category"] = category
    if "is_active" in fields:
        out["is_active"] = bool(fields["is_active"])
    return out


@transaction.atomic
def canned_reply_create(*, actor_user, title: str, body: str, shared: bool = False, macro: str = "",
                        hold_reason: str = "", category: Category | None = None) -> CannedReply:
    """A personal canned reply, or (supervisors and above) one shared with everyone."""
    actor = require_actor(actor_user)
    if shared and actor.role not in workflow.SHARED_REPLY_ROLES:
        raise NotAllowed(_("Only supervisors and above may write shared replies."))
    values = _clean_reply(actor, {"title": title, "body": body, "macro": macro, "hold_reason": hold_reason,
                                  "category": category})
    if values["macro"] == MacroAction.HOLD and not values["hold_reason"]:
        values["hold_reason"] = HoldReason.CUSTOMER
    now = timezone.now()
    return CannedReply.objects.create(**values, owner=None if shared else actor_user, created_at=now, updated_at=now)


def _reply_for_writer(actor, reply) -> CannedReply:
    pk = reply.pk if isinstance(reply, CannedReply) else reply
    found = CannedReply.objects.select_for_update().filter(pk=pk).first()
    if found is None or (found.owner_id is not None and found.owner_id != actor.user_id):
        raise NotFound(_("Canned reply not found."))
    if found.owner_id is None and actor.role not in workflow.SHARED_REPLY_ROLES:
        raise NotAllowed(_("Only supervisors and above may change shared replies."))
    return found


@transaction.atomic
def canned_reply_update(*, reply: CannedReply | int, actor_user, expected_version: int | None = None,
                        **fields) -> CannedReply:
    """Change a canned reply: one's own, or a shared one (supervisors and above)."""
    actor = require_actor(actor_user)
    reply = _reply_for_writer(actor, reply)
    if expected_version is not None and int(expected_version) != reply.version:
        raise Conflict(_("Someone else changed this reply; reload it and try again."), code="concurrent_change")
    unknown = set(fields) - {"title", "body", "macro", "hold_reason", "category", "is_active"}
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed."))
    values = _clean_reply(actor, fields)
    updated = CannedReply.objects.filter(pk=reply.pk, version=reply.version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values)
    if updated != 1:
        raise Conflict(_("Someone else changed this reply; reload it and try again."), code="concurrent_change")
    reply.refresh_from_db()
    return reply


def canned_reply_apply(*, reply: CannedReply, order: WorkOrder, actor_user, expected_version: int | None = None,
                       text: str | None = None) -> WorkOrder:
    """Run a reply's macro on an order through the work-order gate: post the (rendered, possibly
    edited) text as a comment the customer sees, or put the order on hold with it as the reason.
    A reply without a macro only inserts text (nothing to do here)."""
    from kefu.workorders.services import work_order_transition

    actor = require_actor(actor_user)
    body = (text if text is not None else render_reply(reply, order=order, actor=actor)).strip()
    if not body:
        raise required_field("text")
    if reply.macro == MacroAction.COMMENT:
        return work_order_transition(work_order=order, action="comment", actor_user=actor_user,
                                     expected_version=expected_version, body=body, internal=False)
    if reply.macro == MacroAction.HOLD:
        return work_order_transition(work_order=order, action="hold", actor_user=actor_user,
                                     expected_version=expected_version, reason=body,
                                     waiting_for=reply.hold_reason or HoldReason.CUSTOMER)
    raise InvalidInput(_("This reply only inserts text."), code="no_macro")
