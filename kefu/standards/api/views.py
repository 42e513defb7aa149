"""Standards API: the board of a period and scope (`GET /api/v1/standards/?start=&end=[&site=|
&department=]` → one row per standard: code, name, rule, target, value, numerator, denominator,
status met/missed/at_risk/no_data, url of the records behind the value), and a site's or group's
rule (`POST /api/v1/standards/<code>/rule/`, compare-and-swap on `version`: 409 when it changed)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.errors import NotAllowed
from kefu.org.selectors import actor_for_user
from kefu.standards import selectors, services


def _actor(request):
    actor = actor_for_user(request.user)
    if actor is None:
        raise NotAllowed(_("Only active staff may do this."))
    return selectors.require_reader(actor)


class StandardRowOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    rule = serializers.DictField()
    target = serializers.FloatField()
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["met", "missed", "at_risk", "no_data"])
    url = serializers.CharField()
    unit = serializers.CharField()
    definition = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field named "source", as in the contract
    origin = serializers.CharField()
    detail = serializers.CharField()


class RuleInput(serializers.Serializer):
    site = serializers.IntegerField(required=False, allow_null=True)
    department = serializers.IntegerField(required=False, allow_null=True)
    parameters = serializers.DictField(required=False, default=dict)
    target = serializers.CharField()
    version = serializers.IntegerField(required=False, allow_null=True)


class RuleOutput(serializers.Serializer):
    code = serializers.CharField(source="standard.code")
    site = serializers.IntegerField(source="site_id", allow_null=True)
    department = serializers.IntegerField(source="department_id", allow_null=True)
    parameters = serializers.DictField()
    target = serializers.DecimalField(max_digits=8, decimal_places=4)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


PARAMS = [OpenApiParameter("start", OpenApiTypes.DATE, required=True),
          OpenApiParameter("end", OpenApiTypes.DATE, required=True),
          OpenApiParameter("site", OpenApiTypes.INT), OpenApiParameter("department", OpenApiTypes.INT)]
CONTRACT = ("code", "name", "rule", "target", "value", "numerator", "denominator", "status", "url", "unit",
            "definition", "source", "origin", "detail")


class StandardBoardView(APIView):
    """The standards board of a period (dates inclusive, site zone) for a site or group."""

    @extend_schema(parameters=PARAMS, responses=StandardRowOutput(many=True))
    def get(self, request):
        actor = _actor(request)
        scope = selectors.parse_board_scope(request.query_params)
        period = selectors.parse_board_period(request.query_params, scope)
        rows = selectors.board(actor=actor, period=period, scope=scope)
        return Response([{k: row[k] for k in CONTRACT} for row in rows])


class StandardRuleView(APIView):
    """Set a site's or group's own rule for a standard (managers, directors, administrators)."""

    @extend_schema(request=RuleInput, responses={200: RuleOutput})
    def post(self, request, code: str):
        _actor(request)
        data = RuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        scope = selectors.parse_board_scope({k: str(values.get(k) or "") for k in ("site", "department")})
        rule = services.standard_rule_set(actor_user=request.user, code=code, scope=scope,
                                          parameters=values.get("parameters") or {}, target=values["target"],
                                          version=values.get("version"))
        return Response(RuleOutput(rule).data, status=status.HTTP_200_OK)


class StandardRecordsView(APIView):
    """The records behind one standard's value (the board page's drill-down as JSON): the row with
    `columns` and `records` (each: id, label, url, cells, counted)."""

    @extend_schema(parameters=PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code: str):
        from kefu.core.errors import NotFound
        from kefu.standards.exports import _cell

        actor = _actor(request)
        scope = selectors.parse_board_scope(request.query_params)
        period = selectors.parse_board_period(request.query_params, scope)
        rows = selectors.board(actor=actor, period=period, scope=scope, codes=[code], records=True)
        if not rows:
            raise NotFound(_("No such service standard."))
        row = rows[0]
        data = {k: row[k] for k in CONTRACT}
        data["columns"] = row["columns"]
        data["records"] = [{**r, "cells": [_cell(c) for c in r["cells"]]} for r in row["records"]]
        return Response(data)
