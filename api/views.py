"""The read-only endpoints: the change events since a moment, batches with totals, an approved
batch's lines, counts per category and township.

Every endpoint takes a client's token, is throttled per token, and audits each call (the client, the
endpoint, the rows returned, whether personal data went out whole) with dingzhou_welfare/audit.py.
"""

import datetime

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from children.models import Classification, ClassificationKind
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import AuditEntry
from subsidies.bank.line_status import with_paid_status
from subsidies.changes.layouts import with_people
from subsidies.models import Batch, BatchTownship, ChangeEvent, Line
from subsidies.months import parse_month

from .auth import ClientRateThrottle, ClientTokenAuthentication, IsClient, client_of
from .pagination import ByIdPagination, ByMonthPagination, ByRecordedAtPagination
from .serializers import BatchSerializer, ChangeEventSerializer, CountsSerializer, LineSerializer


class ClientView(APIView):
    """Token, permission, rate and audit, the same for every endpoint."""

    authentication_classes = [ClientTokenAuthentication]
    permission_classes = [IsClient]
    throttle_classes = [ClientRateThrottle]
    http_method_names = ["get", "head", "options"]
    rows_returned = 0

    def get_serializer_context(self):
        client = client_of(self.request)
        return {**super().get_serializer_context(), "personal_data": bool(client and client.granted_personal_data)}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.rows_returned = len(page) if page is not None else 0
        return page

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        client = client_of(request)
        if client is not None:
            audit_call(client, request, response.status_code, self.rows_returned)
        return response


def audit_call(client, request, status: int, rows: int) -> None:
    personal = client.granted_personal_data and status == 200 and rows > 0
    log_action(
        actor=None,
        action=AuditEntry.Action.EXPORT,
        obj=client,
        summary=_("接口调用 %(client)s：%(path)s，%(rows)d 条")
        % {"client": client.name, "path": request.path, "rows": rows},
        changes={
            "client": client.name,
            "endpoint": request.path,
            "query": {key: request.query_params.getlist(key) for key in request.query_params},
            "status": status,
            "rows": rows,
            "personal_data": personal,
        },
    )


def _since(request) -> datetime.datetime | None:
    text = request.query_params.get("since")
    if not text:
        return None
    if "T" in text and " " in text:
        text = text.replace(" ", "+")  # an unencoded "+08:00" arrives as a space
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            {"since": [_("时间“%(t)s”不对：应为 ISO 8601，如 2026-05-01T08:00:00+08:00。") % {"t": text}]}
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "since", OpenApiTypes.DATETIME, description="只取此时刻之后记录的事件（ISO 8601；不带时区按北京时间）"
        ),
        OpenApiParameter("month", OpenApiTypes.STR, description="只取某月增减员名单的事件，YYYY-MM"),
    ]
)
class ChangeList(ClientView, ListAPIView):
    """The change events (增员/减员) of the monthly change list, in the order recorded (recorded_at, id):
    a client keeps the last page's next address, or the last recorded_at it saw, and asks again."""

    serializer_class = ChangeEventSerializer
    pagination_class = ByRecordedAtPagination

    def get_queryset(self):
        events = ChangeEvent.objects.all()
        moment = _since(self.request)
        if moment is not None:
            events = events.filter(recorded_at__gt=moment)
        month = self.request.query_params.get("month")
        if month:
            try:
                events = events.for_month(parse_month(month))
            except ValueError:
                raise ValidationError({"month": [_("月份“%(m)s”不对：应为 YYYY-MM。") % {"m": month}]}) from None
        return with_people(events)


class BatchList(ClientView, ListAPIView):
    """Batches, oldest month first, with their totals and each township's."""

    serializer_class = BatchSerializer
    pagination_class = ByMonthPagination
    queryset = Batch.objects.exclude(status=Batch.Status.COMPUTING).prefetch_related(
        Prefetch("townships", queryset=BatchTownship.objects.select_related("township").order_by("township__code"))
    )


class BatchLineList(ClientView, ListAPIView):
    """The lines of an approved batch (approved, exported or sent to the bank), in id order, each with
    its paid status from the bank's returns (subsidies/bank/line_status.py)."""

    serializer_class = LineSerializer
    pagination_class = ByIdPagination

    def get_queryset(self):
        try:
            month = parse_month(self.kwargs["month"])
        except ValueError:
            raise NotFound(_("月份“%(m)s”不对：应为 YYYY-MM。") % {"m": self.kwargs["month"]}) from None
        batch = get_object_or_404(Batch.objects.all(), month=month)
        if not batch.is_frozen:
            raise NotFound(_("%(m)s 的发放批次尚未审批，审批后才提供明细。") % {"m": self.kwargs["month"]})
        self.batch = batch
        lines = Line.objects.filter(batch=batch).select_related(
            "child", "township", "programme", "batch", "reissue_of__batch"
        )
        return with_paid_status(lines)


def _counts_day(request) -> datetime.date:
    text = request.query_params.get("date")
    if not text:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"date": [_("日期“%(d)s”不对：应为 YYYY-MM-DD。") % {"d": text}]}) from None


class Counts(ClientView):
    """Children per category and township on a day (today unless ?date=YYYY-MM-DD); one child in two
    categories counts in each, and once in total_children."""

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="统计日期，默认今天")],
        responses=CountsSerializer,
    )
    def get(self, request):
        day = _counts_day(request)
        current = Classification.objects.current_on(day)
        rows = (
            current.values("kind", "child__township__code", "child__township__name")
            .annotate(children=Count("child", distinct=True))
            .order_by("child__township__code", "kind")
        )
        labels = dict(ClassificationKind.choices)
        results = [
            {
                "category": row["kind"],
                "category_display": str(labels.get(row["kind"], row["kind"])),
                "township_code": row["child__township__code"],
                "township_name": row["child__township__name"],
                "children": row["children"],
            }
            for row in rows
        ]
        total = current.aggregate(n=Count("child", distinct=True))["n"]
        self.rows_returned = len(results)
        return Response(CountsSerializer({"date": day, "total_children": total, "results": results}).data)
