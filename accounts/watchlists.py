"""관심종목: a user's groups of symbols — every read and write of them (the API only translates).

Groups and their symbols keep the order the user gave them (`position`, 0-based). Every function
takes the owner, so one user never reaches another user's groups: a foreign id is "not found".
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User, Watchlist, WatchlistItem
from config.exceptions import Conflict, DomainError, NotFound
from market.models import Symbol

MAX_WATCHLISTS = 20
MAX_SYMBOLS_PER_WATCHLIST = 100
DEFAULT_WATCHLIST_NAME = "관심종목"

WATCHLIST_NOT_FOUND = _("관심종목 그룹을 찾을 수 없습니다.")
WATCHLIST_NAME_TAKEN = _("같은 이름의 관심종목 그룹이 이미 있습니다.")
WATCHLIST_NAME_BLANK = _("그룹 이름을 입력해 주세요.")
TOO_MANY_WATCHLISTS = format_lazy(_("관심종목 그룹은 {limit}개까지 만들 수 있습니다."), limit=MAX_WATCHLISTS)
TOO_MANY_SYMBOLS = format_lazy(_("한 그룹에는 종목을 {limit}개까지 담을 수 있습니다."), limit=MAX_SYMBOLS_PER_WATCHLIST)
UNKNOWN_SYMBOL = _("종목코드 {code}에 해당하는 종목이 없습니다.")
SYMBOL_ALREADY_IN = _("{code} 종목은 이미 이 그룹에 있습니다.")
SYMBOL_NOT_IN = _("{code} 종목은 이 그룹에 없습니다.")
ORDER_MISMATCH = _("순서에는 지금 있는 항목을 빠짐없이 한 번씩 적어 주세요.")


def watchlist_list(*, user: User) -> QuerySet[Watchlist]:
    items = WatchlistItem.objects.select_related("symbol").order_by("position", "id")
    return Watchlist.objects.filter(user=user).order_by("position", "id").prefetch_related(Prefetch("items", items))


def watchlist_get(*, user: User, watchlist_id: int) -> Watchlist:
    try:
        return watchlist_list(user=user).get(pk=watchlist_id)
    except Watchlist.DoesNotExist:
        raise NotFound(WATCHLIST_NOT_FOUND, field="id") from None


def _locked(user: User, watchlist_id: int) -> Watchlist:
    try:
        return Watchlist.objects.select_for_update().get(user=user, pk=watchlist_id)
    except Watchlist.DoesNotExist:
        raise NotFound(WATCHLIST_NOT_FOUND, field="id") from None


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError(WATCHLIST_NAME_BLANK, field="name")
    return name


@transaction.atomic
def watchlist_create(*, user: User, name: str) -> Watchlist:
    name = _clean_name(name)
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creator at a time per user: the count holds
    existing = Watchlist.objects.filter(user=user)
    if existing.count() >= MAX_WATCHLISTS:
        raise Conflict(TOO_MANY_WATCHLISTS, code="too_many_watchlists")
    last = existing.aggregate(last=Max("position"))["last"]
    try:
        with transaction.atomic():
            row = Watchlist.objects.create(user=user, name=name, position=0 if last is None else last + 1)
    except IntegrityError:
        raise Conflict(WATCHLIST_NAME_TAKEN, field="name", code="name_taken") from None
    return watchlist_get(user=user, watchlist_id=row.pk)


@transaction.atomic
def watchlist_rename(*, user: User, watchlist_id: int, name: str) -> Watchlist:
    row = _locked(user, watchlist_id)
    row.name = _clean_name(name)
    try:
        with transaction.atomic():
            row.save(update_fields=["name"])
    except IntegrityError:
        raise Conflict(WATCHLIST_NAME_TAKEN, field="name", code="name_taken") from None
    return watchlist_get(user=user, watchlist_id=row.pk)


@transaction.atomic
def watchlist_delete(*, user: User, watchlist_id: int) -> None:
    _locked(user, watchlist_id).delete()


@transaction.atomic
def watchlists_reorder(*, user: User, ids: Sequence[int]) -> QuerySet[Watchlist]:
    """Put the user's groups in the order of `ids`, which must name each of them exactly once."""
    rows = {row.pk: row for row in Watchlist.objects.select_for_update().filter(user=user)}
    if sorted(ids) != sorted(rows):
        raise DomainError(ORDER_MISMATCH, field="ids")
    for position, pk in enumerate(ids):
        rows[pk].position = position
    Watchlist.objects.bulk_update(rows.values(), ["position"])
    return watchlist_list(user=user)


@transaction.atomic
def watchlist_symbol_add(*, user: User, watchlist_id: int, code: str) -> Watchlist:
    """Add a symbol at the end of the group."""
    row = _locked(user, watchlist_id)
    code = code.strip().upper()
    symbol = Symbol.objects.filter(code=code).first()
    if symbol is None:
        raise NotFound(UNKNOWN_SYMBOL.format(code=code), field="code")
    items = WatchlistItem.objects.filter(watchlist=row)
    if items.filter(symbol=symbol).exists():
        raise Conflict(SYMBOL_ALREADY_IN.format(code=code), field="code", code="already_in_watchlist")
    if items.count() >= MAX_SYMBOLS_PER_WATCHLIST:
        raise Conflict(TOO_MANY_SYMBOLS, field="code", code="too_many_symbols")
    last = items.aggregate(last=Max("position"))["last"]
    WatchlistItem.objects.create(watchlist=row, symbol=symbol, position=0 if last is None else last + 1)
    return watchlist_get(user=user, watchlist_id=row.pk)


@transaction.atomic
def watchlist_symbol_remove(*, user: User, watchlist_id: int, code: str) -> Watchlist:
    row = _locked(user, watchlist_id)
    code = code.strip().upper()
    deleted, _ = WatchlistItem.objects.filter(watchlist=row, symbol__code=code).delete()
    if not deleted:
        raise NotFound(SYMBOL_NOT_IN.format(code=code), field="code")
    return watchlist_get(user=user, watchlist_id=row.pk)


@transaction.atomic
def watchlist_symbols_reorder(*, user: User, watchlist_id: int, codes: Sequence[str]) -> Watchlist:
    """Put the group's symbols in the order of `codes`, which must name each of them exactly once."""
    row = _locked(user, watchlist_id)
    items = {item.symbol.code: item for item in WatchlistItem.objects.filter(watchlist=row).select_related("symbol")}
    codes = [code.strip().upper() for code in codes]
    if sorted(codes) != sorted(items):
        raise DomainError(ORDER_MISMATCH, field="codes")
    for position, code in enumerate(codes):
        items[code].position = position
    WatchlistItem.objects.bulk_update(items.values(), ["position"])
    return watchlist_get(user=user, watchlist_id=row.pk)
