"""Knowledge API: the header search (`GET /api/v1/search/?q=`), articles (`GET/POST
/api/v1/knowledge/articles/`, `?search=`, one POST per action: submit, publish, reject, archive),
cases from orders, votes, and canned replies (render and apply for an order)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.api import workflow_action_endpoint
from kefu.knowledge import selectors, services, workflow
from kefu.knowledge.api.serializers import (
    ArticleActionInput,
    ArticleEventOutput,
    ArticleFromOrderInput,
    ArticleInput,
    ArticleOutput,
    ArticleUpdateInput,
    ArticleVoteInput,
    CannedReplyApplyInput,
    CannedReplyInput,
    CannedReplyOutput,
    CannedReplyRenderInput,
    RenderedReplyOutput,
    SearchOutput,
)
from kefu.knowledge.filters import ArticleFilterSet
from kefu.knowledge.models import Article, CannedReply
from kefu.workorders.selectors import work_order_get_for_actor


class SearchView(APIView):
    """One search box: orders (number, phone tail, words), customers (name, pinyin initials, phone,
    ID tail, unit), units (code in any spelling) and published articles, five of each, each group
    limited to what the user may see."""

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)], responses=SearchOutput)
    def get(self, request):
        result = selectors.header_search(actor=request.actor, q=request.query_params.get("q", ""))
        return Response(SearchOutput(result, context={"request": request}).data)


class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ArticleOutput
    filterset_class = ArticleFilterSet
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()
        return selectors.article_list(actor=self.request.actor).select_related("published_by__staff")

    def get_object(self):
        return selectors.article_get(actor=self.request.actor, pk=self.kwargs["pk"])

    def _out(self, request, article, code=status.HTTP_200_OK):
        article = selectors.article_get(actor=request.actor, pk=article.pk)
        return Response(ArticleOutput(article).data, status=code)

    @extend_schema(request=ArticleInput, responses={201: ArticleOutput})
    def create(self, request):
        data = ArticleInput(data=request.data)
        data.is_valid(raise_exception=True)
        article = services.article_create(actor_user=request.user, **data.validated_data)
        return self._out(request, article, status.HTTP_201_CREATED)

    @extend_schema(request=ArticleUpdateInput, responses=ArticleOutput)
    def partial_update(self, request, pk=None):
        article = self.get_object()
        data = ArticleUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = values.pop("version", None)
        article = services.article_update(article=article, actor_user=request.user, expected_version=expected,
                                          **values)
        return self._out(request, article)

    take_action = workflow_action_endpoint(
        table=workflow.TABLE, input_serializer=ArticleActionInput, output_serializer=ArticleOutput,
        perform=lambda view, article, action, values, version: services.article_transition(
            article=article, action=action, actor_user=view.request.user, expected_version=version,
            note=values["note"]),
        subject="article", always_sent=("note",), parsers=(JSONParser, FormParser),
        output=lambda view, article: ArticleOutput(article).data)

    @extend_schema(request=ArticleVoteInput, responses=ArticleOutput)
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        """Was this helpful? One answer per person; answering again changes it."""
        article = self.get_object()
        data = ArticleVoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        article = services.article_vote(article=article, actor_user=request.user, helpful=data.validated_data["helpful"])
        return self._out(request, article)

    @extend_schema(responses=ArticleEventOutput(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every revision and status change, oldest first."""
        return Response(ArticleEventOutput(selectors.article_events(article=self.get_object()), many=True).data)

    @extend_schema(request=ArticleFromOrderInput, responses={201: ArticleOutput})
    @action(detail=False, methods=["post"], url_path="from-order")
    def from_order(self, request):
        """A draft case from a resolved or closed order, its personal data removed."""
        data = ArticleFromOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = work_order_get_for_actor(actor=request.actor, pk=data.validated_data["work_order"])
        article = services.article_from_order(order=order, actor_user=request.user)
        return self._out(request, article, status.HTTP_201_CREATED)


class CannedReplyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CannedReplyOutput
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CannedReply.objects.none()
        return selectors.canned_reply_list(actor=self.request.actor)

    def get_object(self):
        return selectors.canned_reply_get(actor=self.request.actor, pk=self.kwargs["pk"])

    @extend_schema(request=CannedReplyInput, responses={201: CannedReplyOutput})
    def create(self, request):
        data = CannedReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        reply = services.canned_reply_create(actor_user=request.user, **data.validated_data)
        return Response(CannedReplyOutput(reply).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("work_order", int, required=True)], responses=RenderedReplyOutput)
    @action(detail=True, methods=["get"])
    def render(self, request, pk=None):
        """The reply's text with its variables filled in for a work order."""
        reply = self.get_object()
        data = CannedReplyRenderInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        actor = request.actor
        order = work_order_get_for_actor(actor=actor, pk=data.validated_data["work_order"])
        return Response({"text": selectors.render_reply(reply, order=order, actor=actor)})

    @extend_schema(request=CannedReplyApplyInput, responses={200: RenderedReplyOutput})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Run the reply's macro on a work order through the gate (comment to the customer, or hold)."""
        reply = self.get_object()
        data = CannedReplyApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        actor = request.actor
        order = work_order_get_for_actor(actor=actor, pk=data.validated_data["work_order"])
        text = data.validated_data.get("text")
        text = text if text is not None else selectors.render_reply(reply, order=order, actor=actor)
        services.canned_reply_apply(reply=reply, order=order, actor_user=request.user, text=text,
                                    expected_version=data.validated_data.get("version"))
        return Response({"text": text})
