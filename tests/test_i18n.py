"""Korean first, English on request: what the platform says, in the language the request asks for.

The language of a request is the signed-in user's setting, else Accept-Language, else Korean
(config/locale.py). Every message is Korean source text marked for translation; the English
catalog (locale/en) must translate all of it, and its compiled .mo must match the .po.
"""

import ast
import datetime as dt
import gettext
import importlib
import inspect
import re
import string
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import models
from django.test import AsyncClient
from django.utils import translation
from django.utils.functional import Promise
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.api import INVALID_CREDENTIALS
from config.asgi import application
from historical import services as historical_services
from historical.sources.base import Bar
from jobs import consumers as job_consumers
from jobs import services as job_services
from jobs.enums import JobStatus
from orders import consumers as order_consumers
from orders import messages, services
from orders.enums import OrderStatus
from orders.history import BAD_PAGE_TOKEN
from orders.tests.factories import SymbolFactory
from tests import test_messages

HANGUL = re.compile(r"[가-힣]")
CATALOG = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
CODE = "005930"
ORIGIN = (b"origin", b"http://127.0.0.1:8000")
# Off KRX's tick grid: between 50,000 and 200,000 won the tick is 100 won.
OFF_TICK = {"price": 69_050, "tick": 100, "down": 69_000, "up": 69_100}


@pytest.fixture(autouse=True)
def _korean_again():
    """A request in English must not leave this thread speaking English to the next test."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def symbol(db):
    return SymbolFactory(code=CODE, prev_close=70_000)


@pytest.fixture
def account(user):
    return services.account_create(owner=user, name="main", initial_cash=10_000_000)


def off_tick_message(language: str) -> str:
    with translation.override(language):
        return messages.PRICE_OFF_TICK.format(**OFF_TICK)


def place_off_tick(client: APIClient, account, **headers):
    body = {"account": account.pk, "symbol": CODE, "side": "buy", "type": "limit", "quantity": 1, "price": 69_050}
    return client.post("/api/v1/orders", body, format="json", **headers)


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_english_message_is_really_english():
    english, korean = off_tick_message("en"), off_tick_message("ko")
    assert (
        korean == "69,050원은 호가단위에 맞지 않습니다: 이 가격대의 호가단위는 100원입니다(예: 69,000원 또는 69,100원)."
    )
    assert (
        english
        == "69,050 won is off the tick grid: the tick at this price level is 100 won (e.g. 69,000 or 69,100 won)."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        (None, "ko"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
        ("fr-FR,fr;q=0.9", "ko"),  # not offered: the default
    ],
)
def test_a_refused_order_answers_in_the_language_the_request_asks_for(user, account, symbol, accept_language, language):
    headers = {} if accept_language is None else {"HTTP_ACCEPT_LANGUAGE": accept_language}
    response = place_off_tick(session_client(user), account, **headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == off_tick_message(language)
    assert error["fields"] == {"price": [off_tick_message(language)]}
    assert bool(HANGUL.search(error["message"])) == (language == "ko")
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize("sign_in", [session_client, token_client], ids=["session", "token"])
@pytest.mark.parametrize(
    ("setting", "accept_language", "language"),
    [
        ("en", None, "en"),
        ("en", "ko-KR,ko;q=0.9", "en"),  # the user's explicit choice wins over the browser's
        ("ko", "en-US,en;q=0.9", "ko"),
    ],
)
def test_a_refused_order_answers_in_the_users_language_setting(
    user, account, symbol, sign_in, setting, accept_language, language
):
    account_services.settings_update(user=user, language=setting)
    headers = {} if accept_language is None else {"HTTP_ACCEPT_LANGUAGE": accept_language}
    response = place_off_tick(sign_in(user), account, **headers)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == off_tick_message(language)
    assert response["Content-Language"] == language


@pytest.mark.django_db
def test_a_token_request_resolves_its_user_and_language_in_one_query(user, symbol, django_assert_num_queries):
    from market.state import store
    from orders.tests.factories import quote_for

    account_services.settings_update(user=user, language="en")
    store().put(quote=quote_for(CODE, 70_000, prev_close=70_000))
    client = token_client(user)
    client.get(f"/api/v1/market/quotes/{CODE}")  # the symbol row read once
    with django_assert_num_queries(1):  # the token, its user and the user's settings
        response = client.get(f"/api/v1/market/quotes/{CODE}")
    assert response.status_code == 200 and response["Content-Language"] == "en"
    with django_assert_num_queries(2):  # and the symbol master, which has no such code
        missing = client.get("/api/v1/market/quotes/999990")
    assert missing.status_code == 404 and not HANGUL.search(missing.json()["error"]["message"])


@pytest.mark.django_db
def test_a_settings_change_applies_from_the_next_request(user, account, symbol):
    client = session_client(user)
    assert client.patch("/api/v1/settings", {"language": "en"}, format="json").status_code == 200
    assert place_off_tick(client, account).json()["error"]["message"] == off_tick_message("en")
    assert client.patch("/api/v1/settings", {"language": "ko"}, format="json").status_code == 200
    assert place_off_tick(client, account).json()["error"]["message"] == off_tick_message("ko")


@pytest.mark.django_db
def test_not_enough_cash_in_both_languages(user, symbol):
    poor = services.account_create(owner=user, name="poor", initial_cash=1_000)
    client = session_client(user)
    body = {"account": poor.pk, "symbol": CODE, "side": "buy", "type": "limit", "quantity": 1, "price": 69_000}
    korean = client.post("/api/v1/orders", body, format="json").json()["error"]["message"]
    english = client.post("/api/v1/orders", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert korean.startswith("주문가능금액이 부족합니다: 이 주문에는 수수료를 포함해 69,010원이 필요하고")
    assert (
        english
        == "Not enough orderable cash: this order needs 69,010 won including commission, and 1,000 won is orderable."
    )


@pytest.mark.django_db
def test_a_plain_msgid_constant_is_translated_when_it_is_raised(user, account):
    client = session_client(user)
    url = f"/api/v1/accounts/{account.pk}/activities"
    korean = client.get(url, {"page_token": "bm9wZQ"}).json()["error"]["message"]
    english = client.get(url, {"page_token": "bm9wZQ"}, HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert korean == BAD_PAGE_TOKEN  # gettext_noop: the constant is the Korean text itself
    assert english == "page_token is not valid. Send the page_token of the previous response as it is."


@pytest.mark.django_db
def test_drfs_own_messages_and_anonymous_requests_follow_accept_language(api_client):
    refused = api_client.post("/api/v1/auth/login", {"username": "x", "password": "y"}, format="json")
    assert refused.json()["error"]["message"] == INVALID_CREDENTIALS  # Korean: the default
    refused = api_client.post(
        "/api/v1/auth/login", {"username": "x", "password": "y"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.json()["error"]["message"] == "The username or password is incorrect."
    missing = api_client.post("/api/v1/auth/login", {"username": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.json()["error"]["fields"] == {"password": ["This field is required."]}
    missing = api_client.post("/api/v1/auth/login", {"username": "x"}, format="json")
    assert missing.json()["error"]["fields"] == {"password": ["이 필드는 필수 항목입니다."]}


@pytest.mark.django_db
def test_an_orders_status_label_in_both_languages(user, account, symbol):
    client = session_client(user)
    order, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=69_000
    )
    assert client.post(f"/api/v1/orders/{order.pk}/cancel").status_code == 200
    order.refresh_from_db()
    assert order.get_status_display() == "취소"
    with translation.override("en"):
        assert order.get_status_display() == "Cancelled" and OrderStatus.FILLED.label == "Filled"
    # The label inside a message, as the API words it.
    again = client.post(f"/api/v1/orders/{order.pk}/cancel")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "미체결 주문만 정정·취소할 수 있습니다. 이 주문은 취소 상태입니다."
    again = client.post(f"/api/v1/orders/{order.pk}/cancel", HTTP_ACCEPT_LANGUAGE="en")
    assert again.json()["error"]["message"] == "Only open orders can be modified or cancelled. This order is Cancelled."


@pytest.mark.django_db
def test_a_jobs_progress_is_reported_in_korean(user):
    job = job_services.job_create(kind=historical_services.JOB_KIND_BACKFILL, params={}, owner=user)
    job_services.job_start(job_id=job.pk)
    assert historical_services.job_symbols_total(job_id=job.pk, total=2).message == "0/2종목, 0행 저장"
    report = historical_services.LoadReport(written=1_200, rejected=3)
    job = historical_services.job_symbol_record(job_id=job.pk, code="005930", report=report)
    assert job.message == "1/2종목, 1,200행 저장"
    job = historical_services.job_symbol_record(job_id=job.pk, code="000660", error="source down")
    assert job.status == JobStatus.SUCCEEDED
    assert job.message == "2종목, 1,200행 저장, 3행 거부, 1종목 실패(000660)"

    failed = job_services.job_create(kind=historical_services.JOB_KIND_BACKFILL, params={}, owner=user)
    job_services.job_start(job_id=failed.pk)
    historical_services.job_symbols_total(job_id=failed.pk, total=1)
    failed = historical_services.job_symbol_record(job_id=failed.pk, code="005930", error="source down")
    assert failed.status == JobStatus.FAILED and failed.message == "실패: 1종목, 0행 저장, 0행 거부"


def test_a_rejected_bars_reason_is_korean():
    at = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    problems = historical_services.bar_problems(Bar(time=at, open=100, high=90, low=95, close=90, volume=-1))
    assert [message for _, message in problems] == [
        "고가 90이(가) 저가 95보다 낮습니다",
        "고가 90이(가) 시가나 종가보다 낮습니다",
        "저가 95이(가) 시가나 종가보다 높습니다",
        "거래량 -1이(가) 음수입니다",
    ]


# --- WebSockets -------------------------------------------------------------------------------------


async def _connect(user, path: str, *headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    client = AsyncClient()
    await sync_to_async(client.force_login)(user)
    cookie = (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())
    communicator = WebsocketCommunicator(application, path, headers=[cookie, ORIGIN, *headers])
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return communicator


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "message"), [("/ws/jobs", job_consumers.READ_ONLY), ("/ws/orders", order_consumers.READ_ONLY)]
)
@pytest.mark.parametrize(
    ("setting", "accept_language", "language"),
    [(None, None, "ko"), (None, b"en-US,en;q=0.9", "en"), ("en", None, "en"), ("ko", b"en", "ko")],
)
async def test_a_socket_speaks_the_users_language(user, path, message, setting, accept_language, language):
    if setting:
        await sync_to_async(account_services.settings_update)(user=user, language=setting)
    headers = [(b"accept-language", accept_language)] if accept_language else []
    communicator = await _connect(user, path, *headers)
    await communicator.send_json_to({"action": "subscribe"})
    reply = await communicator.receive_json_from()
    with translation.override(language):
        assert reply == {"type": "error", "message": str(message)}
    assert bool(HANGUL.search(reply["message"])) == (language == "ko")
    await communicator.disconnect()


# --- the catalog ------------------------------------------------------------------------------------


def parse_po(text: str) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgstr and flags (obsolete #~ entries are left out)."""
    entries: list[dict] = []
    entry: dict = {}
    key = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#~"):
            continue
        if "msgstr" in entry and not line.startswith('"'):  # the entry before this line is complete
            entries.append(entry)
            entry = {}
        if line.startswith("#,"):
            entry.setdefault("flags", []).extend(flag.strip() for flag in line[2:].split(","))
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        elif not line.startswith("#"):
            key, _, literal = line.partition(" ")
            entry[key] = ast.literal_eval(literal)
    if "msgid" in entry:
        entries.append(entry)
    return entries


def po_entries() -> list[dict]:
    return [e for e in parse_po((CATALOG / "django.po").read_text()) if e["msgid"]]


def placeholders(text: str) -> set[str]:
    """The replacement fields of a str.format template, as written: {code}, {price:,}, {name!r}."""
    fields = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            fields.add(name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
    return fields


def test_the_english_catalog_translates_every_entry_without_korean():
    entries = po_entries()
    assert len(entries) > 400
    for entry in entries:
        where = (entry.get("msgctxt"), entry["msgid"])
        assert entry["msgstr"], f"untranslated: {where}"
        assert "fuzzy" not in entry.get("flags", []), f"fuzzy: {where}"
        assert not HANGUL.search(entry["msgstr"]), f"Korean left in the English text: {where}"
        if "{" in entry["msgid"] and '{"' not in entry["msgid"]:  # a template (not a JSON example)
            assert placeholders(entry["msgstr"]) == placeholders(entry["msgid"]), f"placeholders differ: {where}"


def test_the_compiled_catalog_matches_the_po():
    with open(CATALOG / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # the .mo's own entries, contexts included
    expected = {
        (f"{e['msgctxt']}\x04{e['msgid']}" if e.get("msgctxt") else e["msgid"]): e["msgstr"] for e in po_entries()
    }
    compiled = {key: value for key, value in compiled.items() if key}  # "" is the header
    assert compiled == expected, "locale/en: run msgfmt -o django.mo django.po after editing the .po"


def _english(value) -> str:
    """A lazy message's English text, or a plain msgid's (gettext_noop constants) English translation."""
    with translation.override("en"):
        return str(value) if isinstance(value, Promise) else translation.gettext(value)


ENUM_MODULES = [
    f"{app}.enums" for app in ("accounts", "historical", "jobs", "market", "orders", "strategies", "webhooks")
]
MESSAGE_MODULES = sorted(
    {
        *test_messages.MESSAGES,
        "orders.api",
        "orders.conditions",
        "orders.consumers",
        "orders.history",
        "orders.messages",
        "market.venue",
        "strategies.rl.live",
        "strategies.rl.pipeline",
        "strategies.rl.runs",
        "strategies.selectors",
        "strategies.services",
        "strategies.specs",
    }
)
# Korean text that is data, not a message: the name a new user's first watchlist would get.
NOT_MESSAGES = {("accounts.watchlists", "DEFAULT_WATCHLIST_NAME")}
# Labels that are names, the same in every language.
NAMES = {"KOSPI", "KOSDAQ", "KONEX", "PPO", "A2C", "DDPG", "TD3", "SAC", "FinanceDataReader"}


@pytest.mark.parametrize("module", ENUM_MODULES)
def test_every_enum_label_is_korean_with_an_english_translation(module):
    for name, choices in inspect.getmembers(importlib.import_module(module), inspect.isclass):
        if not issubclass(choices, models.Choices) or choices.__module__ != module or name == "Language":
            continue  # Language names each language in itself: 한국어, English
        for member in choices:
            korean, english = str(member.label), _english(member.label)
            assert HANGUL.search(korean) or korean in NAMES, (module, name, member, "a label is Korean")
            assert not HANGUL.search(english), (module, name, member, english)


@pytest.mark.parametrize("module", MESSAGE_MODULES)
def test_every_message_constant_has_an_english_translation(module):
    """A Korean constant added without _() (or without its English entry) is caught here."""
    if module.startswith("strategies.rl."):
        pytest.importorskip("stable_baselines3")  # the RL stack is installed for workers only
    found = 0
    for name, value in vars(importlib.import_module(module)).items():
        if not name.isupper() or (module, name) in NOT_MESSAGES:
            continue
        texts = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str | Promise) and HANGUL.search(str(text)):
                found += 1
                assert not HANGUL.search(_english(text)), (module, name, str(text))
    assert found, module


# --- what the back office shows: help texts, row names, ledger notes ------------------------------

BACK_OFFICE_APPS = ("accounts", "historical", "jobs", "market", "orders", "strategies", "webhooks")


def test_every_model_help_text_is_korean_with_an_english_translation():
    from django.apps import apps

    found = 0
    for app in BACK_OFFICE_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                help_text = getattr(field, "help_text", "")
                if not help_text:
                    continue
                found += 1
                where = (model.__name__, field.name)
                assert isinstance(help_text, Promise), (*where, "marked for translation")
                assert HANGUL.search(str(help_text)), (*where, "Korean")
                assert not HANGUL.search(_english(help_text)), (*where, _english(help_text))
    assert found >= 20


@pytest.mark.django_db
def test_rows_are_named_in_the_language_asked(user, account, symbol):
    import datetime as dt

    from market.models import MarketClockState
    from orders.models import CashEntry, Trade
    from orders.tests.factories import book_around, set_book
    from strategies.models import Deployment, Strategy, StrategyRun

    set_book(book_around(CODE, 69_900, 70_000))
    order, _ = services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=3)
    trade = Trade.objects.get(order=order)
    entry = CashEntry.objects.get(trade=trade, kind="buy")
    account_services.settings_update(user=user, language="ko")
    user_settings = user.settings
    at = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    clock_state = MarketClockState(anchor_market_at=at, anchor_wall_at=at, speed=60)
    strategy = Strategy(pk=7, owner=user, name="모멘텀", algorithm="PPO")
    run = StrategyRun(pk=3, strategy=strategy, kind="backtest", status="succeeded")
    deployment = Deployment(strategy=strategy, account=account)
    order.refresh_from_db()
    names = {
        "order": order,
        "trade": trade,
        "entry": entry,
        "settings": user_settings,
        "clock": clock_state,
        "run": run,
        "deployment": deployment,
    }
    korean = {key: str(row) for key, row in names.items()}
    with translation.override("en"):
        english = {key: str(row) for key, row in names.items()}
    assert korean == {
        "order": f"#{order.pk} 매수 3 {symbol.pk} 시장가 체결",
        "trade": f"매수 3 {symbol.pk} @ 70,000",
        "entry": f"매수 -210,000 → {entry.balance_after:,}",
        "settings": "alice의 설정",
        "clock": "연습 시계 2026-12-01T10:00:00+00:00 ×60",
        "run": "전략 #7의 백테스트 #3 (완료)",
        "deployment": f"모멘텀 (PPO) → 계좌 #{account.pk}",
    }
    for key, text in english.items():
        assert not HANGUL.search(text.replace("모멘텀", "")), (key, text)
    assert english["settings"] == "Settings of alice"
    assert english["deployment"] == f"모멘텀 (PPO) → account #{account.pk}"
    assert english["trade"] == f"Buy 3 {symbol.pk} @ 70,000"


@pytest.mark.django_db
def test_the_ledger_notes_of_deposits_and_resets_are_written_in_the_writers_language(user):
    from orders.models import CashEntry

    korean = services.account_create(owner=user, name="ko", initial_cash=1_000_000)
    services.account_deposit(account_id=korean.pk, amount=5_000)
    services.account_reset(account_id=korean.pk)
    with translation.override("en"):
        english = services.account_create(owner=user, name="en", initial_cash=1_000_000)
        services.account_deposit(account_id=english.pk, amount=5_000)
        services.account_reset(account_id=english.pk)
    notes = {
        account.name: list(CashEntry.objects.filter(account=account).order_by("id").values_list("note", flat=True))
        for account in (korean, english)
    }
    assert notes == {"ko": ["계좌 개설", "입금", "초기화"], "en": ["Opening balance", "Deposit", "Reset"]}
