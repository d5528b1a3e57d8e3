"""Users, and what every app's back office shares.

- `BackOfficeAdmin`: amounts in won ("71,500원"), shares ("1,000주") and times with seconds in
  Asia/Seoul ("2026-12-03 09:00:05") in lists and on detail pages; a list filtered to one related
  row (`?account__id__exact=3`) says so in its title.
- `ReadOnlyAdmin`: rows only services write (fills, the ledger, jobs ...) are shown, never edited
  by hand: no add, save or delete; admin actions still call the services.
- `related_list_url` / `change_link`: links between an account and its orders, ledger and fills.
- The admin index is the operator's dashboard (`back_office_dashboard`, templates/admin/index.html)
  above the stock app list.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import User, UserSettings

SEOUL = ZoneInfo("Asia/Seoul")


# --- formatting ------------------------------------------------------------------------------------
def won(value: int | Decimal | None, *, signed: bool = False) -> str | None:
    """71500 → "71,500원"; an average (Decimal) keeps two decimals only when it has a fraction."""
    if value is None:
        return None
    if isinstance(value, Decimal) and value != value.to_integral_value():
        text = f"{value:,.2f}"
    else:
        text = f"{int(value):,}"
    if signed and value > 0:
        text = f"+{text}"
    return f"{text}원"


def won_large(value: int | None) -> str | None:
    """Traded values as Koreans read them: 3,043,213,920,858 → "30,432억원" (from 1억 up)."""
    if value is None:
        return None
    if abs(value) < 100_000_000:
        return won(value)
    return f"{round(value / 100_000_000):,}억원"


def shares(value: int | None) -> str | None:
    return None if value is None else f"{value:,}주"


def seoul_time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M:%S")


def seoul_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


EMPTY = "-"  # the admin's empty_value_display: read-only fields show a callable's None as "None"


def _number(text: str | None) -> SafeString | str:
    return EMPTY if text is None else format_html('<span class="bo-num">{}</span>', text)


def _time(text: str | None) -> SafeString | str:
    return EMPTY if text is None else format_html('<span class="bo-time">{}</span>', text)


FORMATS: dict[str, Callable[[Any], SafeString | str]] = {
    "won": lambda v: _number(won(v)),
    "signed_won": lambda v: _number(won(v, signed=True)),
    "won_large": lambda v: _number(won_large(v)),
    "shares": lambda v: _number(shares(v)),
    "count": lambda v: _number(None if v is None else f"{v:,}"),
    "time": lambda v: _time(seoul_time(v)),
    "date": lambda v: _time(seoul_date(v)),
}


@functools.cache
def formatted_column(model: type[models.Model], name: str, kind: str) -> Callable[[models.Model], Any]:
    """A list/read-only column showing `model.name` formatted as `kind`; one object per field, so
    the admin recognises it in `fields` and `readonly_fields` alike."""
    model_field = model._meta.get_field(name)
    formatter = FORMATS[kind]

    def column(obj: models.Model) -> SafeString | str:
        return formatter(getattr(obj, name))

    column.__name__ = name  # the admin's CSS classes (column-cash, field-cash) and help text
    column.short_description = model_field.verbose_name  # type: ignore[attr-defined]
    column.admin_order_field = name  # type: ignore[attr-defined]
    column.formats_field = name  # type: ignore[attr-defined]
    return column


class FormattedFieldsMixin:
    """Shows the fields named in `won_fields` (also `signed_won_fields`, `large_won_fields` in 억,
    `share_fields`, `count_fields`) and every date and time field formatted wherever the admin
    displays them read-only: list columns, read-only fields, view-only pages and read-only inlines.
    Editable fields stay ordinary form fields."""

    model: type[models.Model]
    won_fields: Sequence[str] = ()
    signed_won_fields: Sequence[str] = ()
    large_won_fields: Sequence[str] = ()
    share_fields: Sequence[str] = ()
    count_fields: Sequence[str] = ()

    def _kind(self, name: str) -> str | None:
        for kind, names in (
            ("won", self.won_fields),
            ("signed_won", self.signed_won_fields),
            ("won_large", self.large_won_fields),
            ("shares", self.share_fields),
            ("count", self.count_fields),
        ):
            if name in names:
                return kind
        try:
            model_field = self.model._meta.get_field(name)
        except FieldDoesNotExist:  # an admin method or a callable
            return None
        if isinstance(model_field, models.DateTimeField):
            return "time"
        if isinstance(model_field, models.DateField):
            return "date"
        return None

    def formatted(self, names: Iterable[Any]) -> list[Any]:
        out = []
        for name in names:
            kind = self._kind(name) if isinstance(name, str) else None
            out.append(formatted_column(self.model, name, kind) if kind else name)
        return out

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self.formatted(super().get_readonly_fields(request, obj))  # type: ignore[misc]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str] | None:
        # A field shown through its formatted column is not a form field as well.
        excluded = super().get_exclude(request, obj)  # type: ignore[misc]
        shown = [getattr(f, "formats_field", None) for f in self.get_readonly_fields(request, obj)]
        extra = [name for name in shown if name]
        if excluded is None and not extra:
            return None
        return [*(excluded or []), *extra]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        if obj is not None and not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            return self.formatted(fields)  # a view-only page: every field is read-only
        readonly = set(self.get_readonly_fields(request, obj))
        return [column if (column := self.formatted([name])[0]) in readonly else name for name in fields]


class BackOfficeAdmin(FormattedFieldsMixin, admin.ModelAdmin):
    list_per_page = 50

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return self.formatted(super().get_list_display(request))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # "주문 목록", or "계좌 demo (#3)의 주문" for one account's (Django's Korean "Select %s to
        # view" reads "보기위한 1%s 를(을) 선택").
        scope = self._filtered_to(request)
        plural = self.opts.verbose_name_plural
        title = f"{scope}의 {plural}" if scope else f"{plural} 목록"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def _filtered_to(self, request: HttpRequest) -> str | None:
        """The title of a list filtered with ?account__id__exact=3: "계좌 demo (#3)"."""
        for key, value in request.GET.items():
            match = re.fullmatch(r"(\w+?)__id__exact", key)
            if not match or not value.isdigit():
                continue
            relation = next((f for f in self.model._meta.get_fields() if f.name == match.group(1)), None)
            if relation is not None and relation.is_relation and relation.related_model is not None:
                row = relation.related_model._default_manager.filter(pk=int(value)).first()
                if row is not None:
                    return f"{relation.verbose_name} {row}"
        return None


class ReadOnlyAdmin(BackOfficeAdmin):
    """Rows that only services write: shown with every field, never added, saved or deleted here
    (a POST to the change page is refused with 403). Admin actions still work: they call services."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        names = self.readonly_fields or [f.name for f in self.model._meta.fields]
        return self.formatted(names)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        title = f"{self.opts.verbose_name} 상세"  # Django's Korean "View %s" reads "뷰 %s"
        return super().change_view(request, object_id, form_url, {"title": title, **(extra_context or {})})


class ReadOnlyTabularInline(FormattedFieldsMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self.formatted(self.readonly_fields or self.fields or [f.name for f in self.model._meta.fields])

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- links -----------------------------------------------------------------------------------------
def related_list_url(model: type[models.Model], **filters: object) -> str:
    """The admin list of `model` filtered: a relation by id (Order, account=3 → /admin/orders/order/
    ?account__id__exact=3), or a lookup as given (status__in="new,partially_filled")."""
    opts = model._meta
    query = {name if "__" in name else f"{name}__id__exact": value for name, value in filters.items()}
    return f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_changelist')}?{urlencode(query)}"


def change_url(obj: models.Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def change_link(obj: models.Model | None, text: object = None) -> SafeString | str:
    if obj is None:
        return EMPTY
    return format_html('<a href="{}">{}</a>', change_url(obj), obj if text is None else text)


# --- users -----------------------------------------------------------------------------------------
@admin.register(User)
class UserAdmin(FormattedFieldsMixin, BaseUserAdmin):
    list_display = ["username", "email", "is_staff", "is_active", "date_joined", "last_login"]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return self.formatted(super().get_list_display(request))


@admin.register(UserSettings)
class UserSettingsAdmin(BackOfficeAdmin):
    list_display = ["user", "language", "theme", "preferred_feed", "kis_environment", "updated_at"]
    # The encrypted KIS fields are never shown, not even encrypted.
    fields = ["user", "language", "theme", "preferred_feed", "kis_environment", "kis_app_key_hint", "updated_at"]
    readonly_fields = ["user", "kis_app_key_hint", "updated_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


# --- the dashboard on the admin index ----------------------------------------------------------------
PHASE_LABELS = {
    "closed": "장 마감",
    "pre_open": "장전 동시호가",
    "continuous": "정규장 (접속매매)",
    "closing_auction": "장마감 동시호가",
    "after_hours": "시간외 거래",
}
SESSION_LABELS = {"close_price": "시간외 종가", "single_price": "시간외 단일가"}
# During a session the newest print of any symbol older than this (wall time) means the feed lags.
FEED_STALE_SECONDS = 30
RECENT_FAILURES = 5
FLAGGED_SHOWN = 20


@dataclass
class HealthCheck:
    name: str
    ok: bool
    detail: str


@dataclass
class FeedHealth:
    state: str  # ok | lagging | down | idle
    label: str
    quotes: int
    newest_quote_at: str | None
    delay_seconds: float | None  # wall seconds since the newest quote was printed
    notes: list[str] = field(default_factory=list)


@dataclass
class Dashboard:
    phase: str
    phase_label: str
    market_now: str
    trading_day: str
    next_phase_label: str
    next_phase_at: str
    clock: str
    speed: float
    feed: FeedHealth
    checks: list[HealthCheck]
    open_orders: int
    open_orders_url: str
    failed_jobs_24h: int
    failed_jobs: list[Any]
    failed_jobs_url: str
    flagged_accounts: list[Any]
    flagged_total: int


def _check_detail(result: dict) -> str:
    if not result.get("ok"):
        return str(result.get("error") or "응답 없음")
    parts = [str(result[k]) for k in ("vendor", "backend", "mode", "transport", "broker") if result.get(k)]
    if "ms" in result:
        parts.append(f"{result['ms']} ms")
    return " · ".join(parts)


def _health_checks() -> list[HealthCheck]:
    from config import health

    checks = [
        ("데이터베이스", health.check_database),
        ("채널 레이어", health.check_channel_layer),
        ("작업 큐", health.check_task_queue),
        ("거래소 (호가 소유 프로세스)", health.check_exchange),
    ]
    out = []
    for name, check in checks:
        result = check()
        out.append(HealthCheck(name, bool(result.get("ok")), _check_detail(result)))
    return out


def _feed_health(clock: Any, phase: str, exchange: HealthCheck) -> FeedHealth:
    from market.clock import STALE_AFTER, PracticeClock, wall_now
    from market.state import store

    quotes = store().all_quotes()  # empty while Redis is away: reads degrade to "no live data"
    newest = max((q.time for q in quotes.values()), default=None)
    delay = None
    if newest is not None:
        delay = max(0.0, (wall_now() - clock.wall_time_of(newest)).total_seconds())
    notes = []
    heartbeat_stale = False
    if isinstance(clock, PracticeClock) and clock.shared:
        age = (wall_now() - clock.anchor.wall_at).total_seconds()
        heartbeat_stale = age > STALE_AFTER.total_seconds()
        stopped = " (멈춤: 피드 프로세스 응답 없음)" if heartbeat_stale else ""
        notes.append(f"연습 시계 하트비트 {age:.0f}초 전{stopped}")
    if not exchange.ok or heartbeat_stale:
        state, label = "down", "중단"
    elif phase == "closed":
        state, label = "idle", "장 마감 (시세 없음)"
    elif delay is None or delay > FEED_STALE_SECONDS:
        state, label = "lagging", "지연"
    else:
        state, label = "ok", "정상"
    return FeedHealth(state, label, len(quotes), seoul_time(newest), None if delay is None else round(delay, 1), notes)


def back_office_dashboard() -> Dashboard:
    """What an operator looks at first: the market clock's phase, the feed, the platform's health
    checks (the same as /api/v1/health), open orders, recent failed jobs, and accounts the ledger
    check flags (orders.selectors.accounts_off_ledger). Read-only."""
    from django.utils import timezone

    from jobs.enums import JobStatus
    from jobs.models import Job
    from market.clock import market_clock
    from orders.enums import OPEN_STATUSES
    from orders.models import Order
    from orders.selectors import accounts_off_ledger

    clock = market_clock()
    status = clock.status()
    checks = _health_checks()
    phase_label = PHASE_LABELS.get(status.phase, status.phase)
    if status.session:
        phase_label = f"{phase_label} · {SESSION_LABELS.get(status.session, status.session)}"
    failed = Job.objects.filter(status=JobStatus.FAILED)
    flagged = accounts_off_ledger()
    return Dashboard(
        phase=status.phase,
        phase_label=phase_label,
        market_now=seoul_time(status.at) or "",
        trading_day=status.trading_day.isoformat(),
        next_phase_label=PHASE_LABELS.get(status.next_phase, status.next_phase),
        next_phase_at=seoul_time(status.next_phase_at) or "",
        clock="연습 시계" if clock.kind == "practice" else "KRX 실시간",
        speed=clock.speed,
        feed=_feed_health(clock, status.phase, checks[-1]),
        checks=checks,
        open_orders=Order.objects.filter(status__in=OPEN_STATUSES).count(),
        open_orders_url=related_list_url(Order, status__in=",".join(OPEN_STATUSES)),
        failed_jobs_24h=failed.filter(created_at__gte=timezone.now() - dt.timedelta(hours=24)).count(),
        failed_jobs=[
            {
                "job": job,
                "url": change_url(job),
                "when": seoul_time(job.finished_at or job.created_at),
                "why": (job.error or job.message)[:160],
            }
            for job in failed.select_related("owner")[:RECENT_FAILURES]
        ],
        failed_jobs_url=related_list_url(Job, status__exact=JobStatus.FAILED),
        flagged_accounts=[
            {
                "account": account,
                "url": change_url(account),
                "cash": won(account.cash),
                "ledger_cash": won(account.ledger_cash),
                "cash_off": account.cash != account.ledger_cash,
                "reserved": won(account.reserved_cash),
                "open_orders_reserved": won(account.open_orders_reserved),
                "reserved_off": account.reserved_cash != account.open_orders_reserved,
                "shares_off": account.shares_off,
            }
            for account in flagged[:FLAGGED_SHOWN]
        ],
        flagged_total=flagged.count(),
    )


def _index_with_dashboard(site: admin.AdminSite) -> None:
    """The stock index view with the dashboard in its context (templates/admin/index.html shows it
    above the app list). Swapped on the default site here because settings keep the stock site."""
    stock_index = site.index

    @functools.wraps(stock_index)
    def index(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return stock_index(request, {"dashboard": back_office_dashboard(), **(extra_context or {})})

    site.index = index  # type: ignore[method-assign]


_index_with_dashboard(admin.site)
