"""Input/output serializers of the knowledge API. An article's `status` is read-only: it moves by
POSTed actions through `article_transition`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kefu.core.masking import phone_for
from kefu.knowledge.choices import ArticleKind, MacroAction
from kefu.knowledge.models import Article, ArticleEvent, CannedReply
from kefu.knowledge.rendering import render_markdown
from kefu.org.models import Department
from kefu.workorders.api.serializers import UserRefField
from kefu.workorders.choices import HoldReason
from kefu.workorders.models import Category


class ArticleOutput(serializers.ModelSerializer):
    created_by = UserRefField()
    published_by = UserRefField()
    category_name = serializers.CharField(source="category.display_name", read_only=True, default=None)
    scope_department_name = serializers.CharField(source="scope_department.display_name", read_only=True,
                                                  default=None)
    body_html = serializers.SerializerMethodField(help_text=_("The body rendered from Markdown and sanitised."))

    class Meta:
        model = Article
        fields = ["id", "kind", "status", "version", "revision", "title", "body", "body_html", "answer", "category",
                  "category_name", "tags", "scope_department", "scope_department_name", "review_on", "source_order",
                  "helpful_yes", "helpful_no", "created_by", "created_at", "updated_at", "published_by",
                  "published_at"]
        read_only_fields = fields

    def get_body_html(self, obj) -> str:
        return str(render_markdown(obj.body))


class ArticleInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=50_000, required=False, allow_blank=True, default="")
    answer = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=ArticleKind.choices, default=ArticleKind.ANSWER)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True,
                                                  default=None)
    tags = serializers.ListField(child=serializers.CharField(max_length=30), max_length=10, required=False,
                                 default=list)
    scope_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                          allow_null=True, default=None)
    review_on = serializers.DateField(required=False, allow_null=True, default=None)


class ArticleUpdateInput(ArticleInput):
    version = serializers.IntegerField(required=False, help_text=_("The version read; a newer one gives 409."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # PATCH: every field optional, no defaults
            field.required = False
            field.default = serializers.empty


class ArticleActionInput(serializers.Serializer):
    version = serializers.IntegerField(required=False)
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class ArticleVoteInput(serializers.Serializer):
    helpful = serializers.BooleanField()


class ArticleFromOrderInput(serializers.Serializer):
    work_order = serializers.IntegerField()


class ArticleEventOutput(serializers.ModelSerializer):
    actor = UserRefField()

    class Meta:
        model = ArticleEvent
        fields = ["id", "action", "actor", "created_at", "from_status", "to_status", "revision", "note", "data"]
        read_only_fields = fields


class CannedReplyOutput(serializers.ModelSerializer):
    shared = serializers.SerializerMethodField()

    class Meta:
        model = CannedReply
        fields = ["id", "title", "body", "shared", "category", "macro", "hold_reason", "is_active", "version",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def get_shared(self, obj) -> bool:
        return obj.owner_id is None


class CannedReplyInput(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    body = serializers.CharField(max_length=2_000)
    shared = serializers.BooleanField(default=False)
    macro = serializers.ChoiceField(choices=MacroAction.choices, required=False, allow_blank=True, default="")
    hold_reason = serializers.ChoiceField(choices=HoldReason.choices, required=False, allow_blank=True, default="")
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True,
                                                  default=None)


class CannedReplyRenderInput(serializers.Serializer):
    work_order = serializers.IntegerField()


class CannedReplyApplyInput(serializers.Serializer):
    work_order = serializers.IntegerField()
    version = serializers.IntegerField(required=False)
    text = serializers.CharField(max_length=2_000, required=False)


class RenderedReplyOutput(serializers.Serializer):
    text = serializers.CharField()


# --- the header search ---------------------------------------------------------------------------

class SearchOrderOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()
    title_html = serializers.CharField(source="search_title", allow_null=True,
                                       help_text=_("The title with the matches in <mark> (HTML, escaped)."))
    snippet_html = serializers.CharField(source="search_snippet", allow_null=True)


class SearchCustomerOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    phone = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()

    def get_phone(self, obj) -> str:
        phone = next(iter(obj.phones.all()), None)
        return phone_for(self.context["request"].user, phone.number) if phone else ""

    def get_units(self, obj) -> list[str]:
        return [link.asset.code for link in obj.asset_links.all()]


class SearchUnitOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    site = serializers.CharField(source="site.name", default=None)


class SearchArticleOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    title = serializers.CharField()
    answer = serializers.CharField()


class SearchOutput(serializers.Serializer):
    q = serializers.CharField()
    orders = SearchOrderOutput(many=True)
    customers = SearchCustomerOutput(many=True)
    units = SearchUnitOutput(many=True)
    articles = SearchArticleOutput(many=True)
