"""Users' orders in KIS mode: the KIS feed (against a local server speaking KIS's protocol) owns
shadow books; orders go to them through the venue and their fills reach the ledger."""

import asyncio
import contextlib

import pytest
from asgiref.sync import sync_to_async

from market.feeds import kis
from market.feeds.publisher import Publisher
from market.tests.fake_kis import APP_KEY, APP_SECRET, FakeKis, asp_record, cnt_record, frame
from orders import services
from orders.models import Order, Trade
from orders.tests.factories import SymbolFactory
from orders.tests.invariants import assert_account_invariants

pytestmark = pytest.mark.django_db(transaction=True)
CODE = "005930"


def book_record(hour: str = "100000") -> str:
    """Asks 71,100 × 30, 71,200 × 60, …; bids 71,000 × 40, 70,900 × 80, …"""
    return asp_record(
        MKSC_SHRN_ISCD=CODE,
        BSOP_HOUR=hour,
        **{f"ASKP{i}": 71_000 + 100 * i for i in range(1, 11)},
        **{f"BIDP{i}": 71_100 - 100 * i for i in range(1, 11)},
        **{f"ASKP_RSQN{i}": 30 * i for i in range(1, 11)},
        **{f"BIDP_RSQN{i}": 40 * i for i in range(1, 11)},
    )


def trade_record(day: str, price: int, volume: int, hour: str = "100001") -> str:
    return cnt_record(
        MKSC_SHRN_ISCD=CODE, STCK_CNTG_HOUR=hour, STCK_PRPR=price, PRDY_VRSS_SIGN="5", PRDY_VRSS=price - 71_500,
        STCK_OPRC=71_500, STCK_HGPR=71_600, STCK_LWPR=price, ASKP1=71_100, BIDP1=71_000, CNTG_VOL=volume,
        ACML_VOL=1_000_000, ACML_TR_PBMN=71_000_000_000, CCLD_DVSN="5", BSOP_DATE=day,
    )  # fmt: skip


async def _until(predicate, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not await sync_to_async(predicate)():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def kis_feed_trading(day: str):
    """The KIS feed on CODE against a local KIS server, its venue taking orders, once it has heard
    a print of 5 at 71,000 and `book_record()`: yields (server, publisher)."""
    async with FakeKis() as server:
        feed = kis.KisFeed(
            codes=[CODE], app_key=APP_KEY, app_secret=APP_SECRET, rest_url=server.rest_url,
            ws_url=server.ws_url, backoff_initial=0.05,
        )  # fmt: skip
        publisher = Publisher(names={CODE: "삼성전자"}, send_signals=True)
        stop = asyncio.Event()
        task = asyncio.create_task(feed.run(publisher, stop))
        try:
            await _until(lambda: len(server.connections) == 1 and len(server.connections[0]) >= 2)
            await server.send(frame("H0STCNT0", [trade_record(day, 71_000, 5, hour="095959")]))
            await server.send(frame("H0STASP0", [book_record()]))
            await _until(lambda: publisher.books >= 1)
            yield server, publisher
        finally:
            stop.set()
            await asyncio.wait_for(task, 5)
            publisher.close()


async def test_orders_in_kis_mode_fill_against_the_real_book_and_prints(user, practice_clock):
    await sync_to_async(SymbolFactory)(code=CODE, prev_close=71_500)
    account = await sync_to_async(services.account_create)(owner=user, name="kis", initial_cash=100_000_000)
    place = sync_to_async(services.order_place)
    day = practice_clock.now().strftime("%Y%m%d")
    async with kis_feed_trading(day) as (server, publisher):
        resting, _ = await place(
            account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=10, price=71_000
        )
        assert resting.status == "new" and resting.queue_ahead == 40, "behind the 40 displayed at 71,000"
        taker, _ = await place(account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=50, price=71_200)
        assert taker.status == "filled"
        taken = await sync_to_async(lambda: list(Trade.objects.filter(order=taker).values_list("price", "quantity")))()
        assert sorted(taken) == [(71_100, 30), (71_200, 20)], "the displayed depth, at its prices"

        # The real market prints 45 at 71,000: 40 were ahead, so 5 of ours fill, at 71,000.
        await server.send(frame("H0STCNT0", [trade_record(day, 71_000, 45)]))
        await _until(lambda: Order.objects.get(pk=resting.pk).filled_quantity == 5)
        # A print below the bid trades through it: the rest fills, at its own price.
        await server.send(frame("H0STCNT0", [trade_record(day, 70_900, 1, hour="100002")]))
        await _until(lambda: Order.objects.get(pk=resting.pk).status == "filled")
        prices = await sync_to_async(lambda: set(Trade.objects.filter(order=resting).values_list("price", flat=True)))()
        assert prices == {71_000}
        far, _ = await place(account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=70_000)
        cancelled = await sync_to_async(services.order_cancel)(order_id=far.pk)
        assert cancelled.status == "cancelled"
        await sync_to_async(assert_account_invariants)(account.pk)
