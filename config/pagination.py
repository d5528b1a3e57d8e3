"""Page-number pagination whose `page` and `page_size` are validated, not guessed.

DRF ignores a `page_size` it cannot read (`page_size=true` quietly gives the default); here any
value outside the schema's bounds is a 400 naming the parameter, and the schema states the bounds.
"""

from typing import Any

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

MAX_PAGE = 10**9  # far past any real page; bounds the number before it reaches the database


class PageInput(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        params = request.query_params
        data = {name: params.get(name) for name in ("page", "page_size") if name in params}
        page = PageInput(data=data)
        page.is_valid(raise_exception=True)
        self._checked = page.validated_data
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Any) -> int:
        return self._checked.get("page_size", self.page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {"page": {"minimum": 1, "maximum": MAX_PAGE}, "page_size": {"minimum": 1, "maximum": 500}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
