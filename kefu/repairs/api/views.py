"""Repair-record API: list and read the records of visible orders (filter by order, equipment or
unit), open one on a repair order, take its actions; the materials list and the equipment register."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from kefu.core.api import ActorRecordViewSet, workflow_action_endpoint
from kefu.core.errors import field_error
from kefu.repairs import selectors, services, workflow
from kefu.repairs.api.serializers import (
    EquipmentInput,
    EquipmentOutput,
    MaterialSerializer,
    RepairRecordActionInput,
    RepairRecordOpenInput,
    RepairRecordOutput,
)
from kefu.repairs.models import Equipment, Material, RepairRecord


class RepairRecordFilterSet(django_filters.FilterSet):
    work_order = django_filters.NumberFilter(field_name="work_order")
    equipment = django_filters.NumberFilter(field_name="equipment")
    asset = django_filters.NumberFilter(field_name="work_order__asset", label="unit / asset")
    status = django_filters.CharFilter(field_name="status")

    class Meta:
        model = RepairRecord
        fields = ["work_order", "equipment", "asset", "status"]


class RepairRecordViewSet(ActorRecordViewSet):
    model = RepairRecord
    serializer_class = RepairRecordOutput
    filterset_class = RepairRecordFilterSet

    def records(self, actor):
        return selectors.record_list_for_actor(actor=actor).prefetch_related("parts")

    def record(self, actor, pk):
        return selectors.record_get_for_actor(actor=actor, pk=pk)

    @extend_schema(request=RepairRecordOpenInput, responses={200: RepairRecordOutput, 201: RepairRecordOutput},
                   description="Open the repair record of a repair order (201), or answer the existing one (200).")
    def create(self, request):
        data = RepairRecordOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        record, created = services.repair_record_open(work_order=data.validated_data["work_order"],
                                                      actor_user=request.user)
        body = RepairRecordOutput(selectors.record_get_for_actor(actor=request.actor, pk=record.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    take_action = workflow_action_endpoint(
        table=workflow.TABLE, input_serializer=RepairRecordActionInput, output_serializer=RepairRecordOutput,
        perform=lambda view, obj, action, values, version: services.repair_record_transition(
            record=obj, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="repair record")


class MaterialViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MaterialSerializer
    queryset = Material.objects.none()

    def get_queryset(self):
        return selectors.materials_active()

    @extend_schema(request=MaterialSerializer, responses={201: MaterialSerializer})
    def create(self, request):
        data = MaterialSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        material = services.material_create(actor_user=request.user, **data.validated_data)
        return Response(MaterialSerializer(material).data, status=status.HTTP_201_CREATED)


class EquipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EquipmentOutput
    queryset = Equipment.objects.none()

    def get_queryset(self):
        return selectors.equipment_list()

    @extend_schema(request=EquipmentInput, responses={201: EquipmentOutput})
    def create(self, request):
        from kefu.customers.models import Building, Site

        data = EquipmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        site = Site.objects.filter(pk=values.pop("site")).first()
        if site is None:
            raise field_error("site", _("Choose a site."))
        building = None
        if values.get("building"):
            building = Building.objects.filter(pk=values["building"]).first()
            if building is None:
                raise field_error("building", _("Choose a building."))
        values.pop("building", None)
        equipment = services.equipment_create(actor_user=request.user, site=site, building=building, **values)
        return Response(EquipmentOutput(equipment).data, status=status.HTTP_201_CREATED)
