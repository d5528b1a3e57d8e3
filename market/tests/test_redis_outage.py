"""Redis going away and coming back: the feed keeps running and resumes publishing by itself.

Redis is reached through a local TCP proxy that the test cuts and restores (the real Redis keeps
running for the other tests)."""

import asyncio
import datetime as dt
import uuid

import pytest
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

from market import events
from market.feeds.publisher import Publisher
from market.redis_state import RedisQuoteStore
from market.state import BookLevel, OrderBook, Quote, Trade, set_store

pytestmark = [pytest.mark.services, pytest.mark.slow]
T = dt.datetime(2024, 6, 12, 1, 0, tzinfo=dt.UTC)


class Proxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.server = None
        self.port = 0
        self.pipes: set[asyncio.StreamWriter] = set()

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _client(self, reader, writer):
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        self.pipes.update({writer, up_writer})
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        self.server.close()
        for writer in self.pipes:
            writer.transport.abort()
        self.pipes.clear()
        await self.server.wait_closed()


def _quote(price):
    return Quote(
        code="005930",
        price=price,
        open=71_000,
        high=price,
        low=71_000,
        prev_close=71_000,
        volume=1,
        value=price,
        best_bid=price,
        best_ask=price + 100,
        time=T,
    )


@pytest.mark.parametrize("layer_class", [RedisChannelLayer, RedisPubSubChannelLayer])
async def test_publishing_survives_a_redis_outage(layer_class):
    upstream = int(settings.REDIS_URL.rsplit(":", 1)[1].split("/")[0])
    db = settings.REDIS_URL.rsplit("/", 1)[1]
    proxy = Proxy(upstream)
    await proxy.start()
    via_proxy = f"redis://127.0.0.1:{proxy.port}/{db}"
    prefix = f"outage{uuid.uuid4().hex[:8]}"
    state = RedisQuoteStore(via_proxy, prefix=prefix)
    direct_state = RedisQuoteStore(settings.REDIS_URL, prefix=prefix)
    feed_layer = layer_class(hosts=[via_proxy], prefix=prefix)
    browser_layer = layer_class(hosts=[settings.REDIS_URL], prefix=prefix)  # a web process elsewhere
    channel = await browser_layer.new_channel()
    await browser_layer.group_add(events.quote_group("005930"), channel)
    set_store(state)
    publisher = Publisher(channel_layer=feed_layer, send_signals=False)
    book = OrderBook(code="005930", asks=(BookLevel(71_100, 1),), bids=(BookLevel(71_000, 1),), time=T)
    try:
        await publisher.trade(Trade("005930", 71_100, 1, "buy", T), _quote(71_100))
        assert (await asyncio.wait_for(browser_layer.receive(channel), 3))["message"]["trade"]["price"] == 71_100
        assert direct_state.quote("005930").price == 71_100

        await proxy.cut()
        for price in (71_200, 71_300):  # the feed goes on; nothing raises
            await asyncio.wait_for(publisher.trade(Trade("005930", price, 1, "buy", T), _quote(price)), 30)
            await asyncio.wait_for(publisher.book(book), 30)
        assert publisher.state_outage.down and publisher.layer_outage.down
        assert publisher.trades == 3 and publisher.books == 2
        assert direct_state.quote("005930").price == 71_100

        await proxy.start()  # Redis is back on the same address
        await publisher.trade(Trade("005930", 71_400, 1, "buy", T), _quote(71_400))
        assert not publisher.state_outage.down and not publisher.layer_outage.down
        assert direct_state.quote("005930").price == 71_400
        message = await asyncio.wait_for(browser_layer.receive(channel), 3)
        assert message["message"]["trade"]["price"] == 71_400
    finally:
        set_store(None)
        publisher.close()
        direct_state.clear()
        if layer_class is RedisChannelLayer:
            await feed_layer.flush()
        else:
            await browser_layer.flush()
            await feed_layer.flush()
        await proxy.cut()
