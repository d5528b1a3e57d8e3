"""REST of 관심종목 groups: thin views over accounts.watchlists."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import watchlists
from accounts.models import Watchlist
from config.inputs import JsonInput, code_field


class WatchlistItemOutput(serializers.Serializer):
    code = serializers.CharField(source="symbol.code")
    name = serializers.CharField(source="symbol.name")
    market = serializers.CharField(source="symbol.market")
    position = serializers.IntegerField()
    added_at = serializers.DateTimeField()


class WatchlistOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    items = WatchlistItemOutput(many=True)


class WatchlistNameInput(JsonInput):
    name = serializers.CharField(max_length=30, help_text="1–30 characters, unique among the user's groups")


class WatchlistOrderInput(JsonInput):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=watchlists.MAX_WATCHLISTS,
        help_text="Every group id of the user, each once, in the new order",
    )


class SymbolInput(JsonInput):
    code = code_field()


class SymbolOrderInput(JsonInput):
    codes = serializers.ListField(
        child=code_field(),
        max_length=watchlists.MAX_SYMBOLS_PER_WATCHLIST,
        help_text="Every code of the group, each once, in the new order",
    )


def _one(row: Watchlist, code: int = status.HTTP_200_OK) -> Response:
    return Response(WatchlistOutput(row).data, status=code)


class WatchlistListApi(APIView):
    @extend_schema(responses={200: WatchlistOutput(many=True)})
    def get(self, request: Request) -> Response:
        return Response(WatchlistOutput(watchlists.watchlist_list(user=request.user), many=True).data)

    @extend_schema(request=WatchlistNameInput, responses={201: WatchlistOutput})
    def post(self, request: Request) -> Response:
        data = WatchlistNameInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _one(watchlists.watchlist_create(user=request.user, **data.validated_data), status.HTTP_201_CREATED)


class WatchlistOrderApi(APIView):
    @extend_schema(request=WatchlistOrderInput, responses={200: WatchlistOutput(many=True)})
    def put(self, request: Request) -> Response:
        data = WatchlistOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        rows = watchlists.watchlists_reorder(user=request.user, ids=data.validated_data["ids"])
        return Response(WatchlistOutput(rows, many=True).data)


class WatchlistDetailApi(APIView):
    @extend_schema(responses={200: WatchlistOutput})
    def get(self, request: Request, watchlist_id: int) -> Response:
        return _one(watchlists.watchlist_get(user=request.user, watchlist_id=watchlist_id))

    @extend_schema(request=WatchlistNameInput, responses={200: WatchlistOutput})
    def patch(self, request: Request, watchlist_id: int) -> Response:
        data = WatchlistNameInput(data=request.data, partial=True)  # a PATCH may leave the name as it is
        data.is_valid(raise_exception=True)
        if "name" not in data.validated_data:
            return _one(watchlists.watchlist_get(user=request.user, watchlist_id=watchlist_id))
        return _one(watchlists.watchlist_rename(user=request.user, watchlist_id=watchlist_id, **data.validated_data))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, watchlist_id: int) -> Response:
        watchlists.watchlist_delete(user=request.user, watchlist_id=watchlist_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WatchlistSymbolListApi(APIView):
    @extend_schema(request=SymbolInput, responses={201: WatchlistOutput})
    def post(self, request: Request, watchlist_id: int) -> Response:
        data = SymbolInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = watchlists.watchlist_symbol_add(user=request.user, watchlist_id=watchlist_id, **data.validated_data)
        return _one(row, status.HTTP_201_CREATED)

    @extend_schema(request=SymbolOrderInput, responses={200: WatchlistOutput})
    def put(self, request: Request, watchlist_id: int) -> Response:
        data = SymbolOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = watchlists.watchlist_symbols_reorder(
            user=request.user, watchlist_id=watchlist_id, codes=data.validated_data["codes"]
        )
        return _one(row)


class WatchlistSymbolApi(APIView):
    @extend_schema(responses={200: WatchlistOutput})
    def delete(self, request: Request, watchlist_id: int, code: str) -> Response:
        return _one(watchlists.watchlist_symbol_remove(user=request.user, watchlist_id=watchlist_id, code=code))
