"""Keyset (cursor) pagination on a unique ascending key, e.g. (recorded_at, id).

Each page is one query, whatever page it is: the cursor holds the last row's key, and the next page
is `key > cursor` in the key's order, written so that PostgreSQL starts the index scan at the cursor
(`a >= x AND (a > x OR b > y)`) rather than filtering from the first row. DRF's own CursorPagination
keys on the first ordering field alone and counts an offset past equal values, which grows with the
rows that share a timestamp (a bulk import's events do).
"""

import base64
import binascii
import json

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


def _encode(values: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode("utf-8")).decode("ascii").rstrip("=")


def _decode(text: str) -> list:
    padded = text + "=" * (-len(text) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))


class KeysetPagination(BasePagination):
    key: tuple[str, ...] = ("id",)
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def __init__(self):
        self.page_size = settings.API_PAGE_SIZE
        self.max_page_size = settings.API_MAX_PAGE_SIZE
        self.next_key = None

    # The page ---------------------------------------------------------------------------------

    def get_page_size(self, request) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return self.page_size
        try:
            size = int(text)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [_("每页条数应为 1 到 %(max)d 的整数。") % {"max": self.max_page_size}]}
            )
        return size

    def cursor_values(self, request, model) -> list | None:
        text = request.query_params.get(self.cursor_query_param)
        if not text:
            return None
        try:
            raw = _decode(text)
            if not isinstance(raw, list) or len(raw) != len(self.key):
                raise ValueError(text)
            return [model._meta.get_field(name).to_python(value) for name, value in zip(self.key, raw, strict=True)]
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, DjangoValidationError):
            raise ValidationError({self.cursor_query_param: [_("游标无效：请使用上一页返回的 next 地址。")]}) from None

    def after(self, values) -> Q:
        """Rows whose key comes after `values` (one or two fields)."""
        if len(self.key) == 1:
            return Q(**{f"{self.key[0]}__gt": values[0]})
        first, second = self.key
        return Q(**{f"{first}__gte": values[0]}) & (
            Q(**{f"{first}__gt": values[0]}) | Q(**{f"{second}__gt": values[1]})
        )

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        values = self.cursor_values(request, queryset.model)
        if values is not None:
            queryset = queryset.filter(self.after(values))
        rows = list(queryset.order_by(*self.key)[: size + 1])
        self.next_key = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.next_key = [_serialise(getattr(last, name)) for name in self.key]
        return rows

    def get_next_link(self) -> str | None:
        if self.next_key is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, _encode(self.next_key))

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    # The schema -------------------------------------------------------------------------------

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "下一页的地址；为 null 时已到最后一页。",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "翻页游标：取自上一页的 next 地址。",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数，默认 {self.page_size}，最多 {self.max_page_size}。",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


def _serialise(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class ByIdPagination(KeysetPagination):
    key = ("id",)


class ByMonthPagination(KeysetPagination):
    key = ("month",)


class ByRecordedAtPagination(KeysetPagination):
    key = ("recorded_at", "id")
