"""Survey API: campaigns visible to the user and their results (definitions in docs/surveys.md)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.core.errors import NotAllowed, NotFound
from kefu.surveys import selectors
from kefu.surveys.api.serializers import CampaignOutput, ResultsOutput
from kefu.surveys.models import Campaign


def _survey_actor(request):
    actor = request.actor
    if not selectors.may_view(actor):
        raise NotAllowed(_("Your role may not read satisfaction surveys."))
    return actor


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CampaignOutput
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Campaign.objects.none()
        return selectors.campaign_list_for_actor(actor=_survey_actor(self.request))

    def get_object(self):
        campaign = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if campaign is None:
            raise NotFound(_("Survey campaign not found."))
        return campaign

    @extend_schema(responses=ResultsOutput)
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Satisfaction rate per service item and overall, each with its numerator and denominator,
        the response rate, the target and the previous campaign's rate."""
        campaign = self.get_object()
        return Response(ResultsOutput(selectors.campaign_results(campaign=campaign)).data)
