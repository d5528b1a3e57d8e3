"""Every write to market tables."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError, InvalidInput, NotFound
from market.cache import symbols_forget
from market.enums import Market
from market.models import Quote as QuoteSnapshot
from market.models import Symbol
from market.state import Quote

logger = logging.getLogger(__name__)

SYMBOL_NOT_FOUND = _("{code} 종목을 찾을 수 없습니다.")
SYMBOL_CODE_MALFORMED = _("{code!r}은(는) 종목코드가 아닙니다. 종목코드는 숫자나 영문 대문자 6자리입니다(예: 005930).")
LISTING_EMPTY = _("KRX 상장종목 목록이 비어 있어 아무것도 바꾸지 않았습니다.")


@dataclass(frozen=True)
class SymbolRow:
    """One symbol as a source describes it (seed list, KRX listing)."""

    code: str
    name: str
    market: str
    name_en: str = ""
    sector: str = ""
    prev_close: int | None = None
    typical_daily_value: int | None = None
    is_kospi200: bool | None = None


@dataclass(frozen=True)
class UpsertCounts:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def symbol_set_prev_close(*, code: str, prev_close: int) -> None:
    """Record a symbol's previous close (base price of the daily band, the feed's start)."""
    Symbol.objects.filter(code=code).update(prev_close=prev_close)
    symbols_forget()


def _apply(symbol: Symbol, row: SymbolRow, *, keep_names: bool) -> bool:
    changed = False
    wanted: dict[str, Any] = {"market": row.market}
    if not keep_names or not symbol.name:
        wanted["name"] = row.name
    if row.name_en and (not keep_names or not symbol.name_en):
        wanted["name_en"] = row.name_en
    if row.sector and (not keep_names or not symbol.sector):
        wanted["sector"] = row.sector
    if row.prev_close:
        wanted["prev_close"] = row.prev_close
    if not keep_names:  # like names, the back office may have edited them
        if row.typical_daily_value is not None:
            wanted["typical_daily_value"] = row.typical_daily_value
        if row.is_kospi200 is not None:
            wanted["is_kospi200"] = row.is_kospi200
    for field, value in wanted.items():
        if getattr(symbol, field) != value:
            setattr(symbol, field, value)
            changed = True
    return changed


def symbol_upsert_many(*, rows: Iterable[SymbolRow], keep_names: bool = False, batch_size: int = 500) -> UpsertCounts:
    """Insert new symbols and update known ones by code, in batches; running it twice changes nothing.

    keep_names: do not overwrite a name, English name or sector already set (an admin may have
    renamed a symbol; a bare listing must not undo that).
    """
    rows = list({row.code: row for row in rows}.values())
    created = updated = unchanged = 0
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        with transaction.atomic():
            existing = {s.code: s for s in Symbol.objects.select_for_update().filter(code__in=[r.code for r in batch])}
            to_create: list[Symbol] = []
            to_update: list[Symbol] = []
            for row in batch:
                symbol = existing.get(row.code)
                if symbol is None:
                    to_create.append(
                        Symbol(
                            code=row.code,
                            name=row.name,
                            name_en=row.name_en,
                            market=row.market,
                            sector=row.sector,
                            prev_close=row.prev_close,
                            **{
                                field: getattr(row, field)
                                for field in ("typical_daily_value", "is_kospi200")
                                if getattr(row, field) is not None
                            },
                        )
                    )
                elif _apply(symbol, row, keep_names=keep_names):
                    to_update.append(symbol)
                else:
                    unchanged += 1
            Symbol.objects.bulk_create(to_create)
            if to_update:
                Symbol.objects.bulk_update(
                    to_update,
                    [
                        "name",
                        "name_en",
                        "market",
                        "sector",
                        "prev_close",
                        "typical_daily_value",
                        "is_kospi200",
                        "updated_at",
                    ],
                )
            created += len(to_create)
            updated += len(to_update)
    symbols_forget()
    return UpsertCounts(created=created, updated=updated, unchanged=unchanged)


def symbol_code_validate(code: str) -> str:
    if not isinstance(code, str) or not Symbol.CODE_RE.fullmatch(code):
        raise InvalidInput(SYMBOL_CODE_MALFORMED.format(code=code), code="invalid_code")
    return code


@transaction.atomic
def symbol_update(
    *,
    code: str,
    name: str | None = None,
    name_en: str | None = None,
    is_active: bool | None = None,
    is_tradable: bool | None = None,
) -> Symbol:
    """Rename, deactivate or suspend a symbol (back office)."""
    symbol_code_validate(code)
    symbol = Symbol.objects.select_for_update().filter(code=code).first()
    if symbol is None:
        raise NotFound(SYMBOL_NOT_FOUND.format(code=code))
    for field, value in (("name", name), ("name_en", name_en), ("is_active", is_active), ("is_tradable", is_tradable)):
        if value is not None:
            setattr(symbol, field, value)
    symbol.full_clean()
    symbol.save()
    return symbol


def quote_snapshots_save(*, quotes: Iterable[Quote]) -> int:
    """Upsert the latest snapshot row of each quote's symbol; returns the number written."""
    quotes = list(quotes)
    if not quotes:
        return 0
    with transaction.atomic():
        ids = dict(Symbol.objects.filter(code__in=[q.code for q in quotes]).values_list("code", "id"))
        rows = [
            QuoteSnapshot(
                symbol_id=ids[q.code],
                price=q.price,
                open=q.open,
                high=q.high,
                low=q.low,
                prev_close=q.prev_close,
                volume=q.volume,
                value=q.value,
                best_bid=q.best_bid,
                best_ask=q.best_ask,
                time=q.time,
            )
            for q in quotes
            if q.code in ids
        ]
        QuoteSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["symbol"],
            update_fields=[
                "price",
                "open",
                "high",
                "low",
                "prev_close",
                "volume",
                "value",
                "best_bid",
                "best_ask",
                "time",
                "updated_at",
            ],
        )
    return len(rows)


_LISTING_MARKETS = {
    "KOSPI": Market.KOSPI,
    "KOSDAQ": Market.KOSDAQ,
    "KOSDAQ GLOBAL": Market.KOSDAQ,
    "KONEX": Market.KONEX,
}


def listing_rows(frame: Any) -> list[SymbolRow]:
    """SymbolRows from FinanceDataReader's StockListing('KRX') frame (Code, Name, Market, Close)."""
    rows: list[SymbolRow] = []
    for record in frame.to_dict("records"):
        code = str(record.get("Code") or "").strip()
        market = _LISTING_MARKETS.get(str(record.get("Market") or "").strip())
        name = str(record.get("Name") or "").strip()
        if not (Symbol.CODE_RE.fullmatch(code) and market and name):
            continue
        close = record.get("Close")
        try:
            prev_close = int(close) if close == close and close is not None else None  # NaN != NaN
        except (TypeError, ValueError):
            prev_close = None
        if prev_close is not None and prev_close <= 0:
            prev_close = None
        # The listing has no industry: its "Dept" is the KOSDAQ membership tier (우량기업부, 중견기업부 ...),
        # not a sector, so a loaded symbol's sector stays as it was (blank for new ones).
        rows.append(SymbolRow(code=code, name=name[:100], market=market, prev_close=prev_close))
    return rows


def symbols_load_listing(*, dry_run: bool = False) -> tuple[int, UpsertCounts | None]:
    """Load the full KRX listing through FinanceDataReader and upsert it (names set by hand are kept).

    Returns (rows in the listing, counts or None on a dry run). Needs the machine to be online.
    """
    import FinanceDataReader as fdr  # noqa: N813 - the library's documented alias

    frame = fdr.StockListing("KRX")
    rows = listing_rows(frame)
    if not rows:
        raise DomainError(LISTING_EMPTY)
    if dry_run:
        return len(rows), None
    return len(rows), symbol_upsert_many(rows=rows, keep_names=True)
