"""Calendar API: administrators create calendars; staff and integrators preview due times."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.core.errors import NotAllowed
from kefu.org.choices import RoleCode
from kefu.org.selectors import actor_for_user
from kefu.sla import selectors, services
from kefu.sla.api.serializers import CalendarCreateInput, CalendarOutput, DueOutput, DueQuery
from kefu.sla.models import WorkCalendar


class CalendarViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CalendarOutput
    queryset = WorkCalendar.objects.order_by("name")
    pagination_class = None

    @extend_schema(request=CalendarCreateInput, responses={201: CalendarOutput})
    def create(self, request):
        actor = actor_for_user(request.user)
        if actor is None or actor.role != RoleCode.ADMINISTRATOR:
            raise NotAllowed(_("Only administrators may create calendars."))
        data = CalendarCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        calendar = services.calendar_create(**data.validated_data)
        return Response(CalendarOutput(calendar).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[DueQuery], responses=DueOutput)
    @action(detail=True, methods=["get"])
    def due(self, request, pk=None):
        calendar = self.get_object()
        query = DueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        due, warnings = selectors.calendar_due(calendar=calendar, start=query.validated_data["start"],
                                              minutes=query.validated_data["minutes"])
        return Response({"due": due.isoformat(), "warnings": warnings})
