"""The single-price call auction (단일가매매): the uncross price and the allocation at the limits.

Rules (유가증권시장 업무규정, law.krx.co.kr lawid=000109; 코스닥시장 업무규정 is the same in substance):
- 제23조 (단일가에 의한 개별경쟁매매): the price is the 합치가격 at which
  1. every sell order below it and every buy order above it (and every market order) fills in full,
  2. at the price itself one side fills in full and the other at least in part
  (KRX's English summary: GLB0604010100T3, "Price determination in single price auction").
- 합치가격 tie (제23조, "합치가격이 2개 이상인 경우"): the previous price (직전의 가격; before the
  day's first trade the base price) if it is one of them; otherwise the one closest to it — the
  highest when the previous price lies above them all, the lowest when below. KRX's worked
  examples (global.krx.co.kr GLB0606030102T1, "Single Price Auction") are the tests.
- Market orders take part in the price at KRX's deemed prices (`deemed_market_prices`); for
  priority they rank with a limit at the band limit (제22조②: 매수 시장가 = 상한가 매수, 매도
  시장가 = 하한가 매도), which is where the engine keeps them during a call.
- 제22조③ and 시행세칙 제34조: when the opening price (or the first price after a halt or VI) is the
  upper or lower limit, the orders at that limit on the rationed side are deemed simultaneous
  (동시호가): time priority gives way to quantity priority, allocated in passes from the largest order
  down — 100 × the trading unit each, then half of each one's remainder (rounded half up to the
  unit), then the rest in the same order (KRX GLB0602010202T2, "periodic call auction" example:
  orders 1,000/200/10,000/5,000 sharing 13,100 get 550/150/9,850/2,550). The closing call is not
  one of those events.
"""

from __future__ import annotations

from collections.abc import Sequence

from market.rules import tick_down, tick_up

SIMULTANEOUS_FIRST_PASS_UNITS = 100


def deemed_market_prices(
    bids: Sequence[tuple[int, int]], asks: Sequence[tuple[int, int]], reference: int, *, lower: int, upper: int
) -> tuple[int, int]:
    """(buy, sell) prices market orders count at in a call, as KRX deems them.

    KRX, "Execution Method of Market Orders at Single Price Auctions" (global.krx.co.kr,
    GLB0602010202T4): with limit orders present a buy market order is deemed at the highest of one
    tick above the highest buy limit, the highest sell limit and the last traded price (a sell
    market order at the lowest of one tick below the lowest sell limit, the lowest buy limit and
    the last traded price), never beyond the daily limits.
    """
    buy_candidates = [reference]
    sell_candidates = [reference]
    if bids:
        buy_candidates.append(tick_up(bids[0][0]))
        sell_candidates.append(bids[-1][0])
    if asks:
        buy_candidates.append(asks[-1][0])
        sell_candidates.append(tick_down(asks[0][0]))
    return min(max(buy_candidates), upper), max(min(sell_candidates), lower)


def uncross(
    bids: Sequence[tuple[int, int]],
    asks: Sequence[tuple[int, int]],
    reference: int,
    *,
    market_bid: int = 0,
    market_ask: int = 0,
    lower: int = 1,
    upper: int = 1 << 62,
) -> tuple[int | None, int]:
    """(price, executed quantity) of a call auction; (None, 0) when nothing executes.

    `bids` / `asks` are the limit orders' (price, quantity) levels, bids descending and asks
    ascending; `market_bid` / `market_ask` the market orders' quantities; `reference` is the
    previous price (직전의 가격) and [lower, upper] the band.
    """
    if market_bid and market_ask and not bids and not asks:
        # Market orders only: the last price, one tick toward the larger side (GLB0602010202T4).
        if market_bid > market_ask:
            price = min(tick_up(reference), upper)
        elif market_bid < market_ask:
            price = max(tick_down(reference), lower)
        else:
            price = reference
        return price, min(market_bid, market_ask)
    if market_bid or market_ask:
        deemed_buy, deemed_sell = deemed_market_prices(bids, asks, reference, lower=lower, upper=upper)
        if market_bid:
            bids = _merge(bids, deemed_buy, market_bid, descending=True)
        if market_ask:
            asks = _merge(asks, deemed_sell, market_ask, descending=False)
    if not bids or not asks or bids[0][0] < asks[0][0]:
        return None, 0
    at_bid = dict(bids)
    at_ask = dict(asks)
    prices = sorted(at_bid.keys() | at_ask.keys())
    demand = sum(at_bid.values())  # bids at or above the price, walking up from the lowest
    supply = 0  # asks at or below the price
    # A matching price P (업무규정 제23조; KRX GLB0604010100T3): every order better than P fills in
    # full, and at P one side fills in full while the other fills at least one unit — with B/A the
    # bid/ask quantity at or better than P: B == A, or B > A with the bids above P fewer than A,
    # or A > B with the asks below P fewer than B. Grid prices between two order prices qualify
    # when B == A there.
    matching: list[tuple[int, int]] = []  # inclusive (low, high) ranges
    for index, price in enumerate(prices):
        supply += at_ask.get(price, 0)
        bid_here = at_bid.get(price, 0)
        ask_here = at_ask.get(price, 0)
        if min(demand, supply) and (
            demand == supply
            or (demand > supply and demand - bid_here < supply)
            or (supply > demand and supply - ask_here < demand)
        ):
            matching.append((price, price))
        demand -= bid_here
        if index + 1 < len(prices) and demand and demand == supply:
            low, high = tick_up(price), tick_down(prices[index + 1])
            if low <= high:
                matching.append((low, high))
    if not matching:
        return None, 0
    price = _nearest(matching, reference)
    executed = min(sum(q for p, q in bids if p >= price), sum(q for p, q in asks if p <= price))
    return price, executed


def _merge(levels: Sequence[tuple[int, int]], price: int, quantity: int, *, descending: bool) -> list[tuple[int, int]]:
    merged = dict(levels)
    merged[price] = merged.get(price, 0) + quantity
    return sorted(merged.items(), reverse=descending)


def _nearest(ranges: list[tuple[int, int]], reference: int) -> int:
    """제23조 tie rule: the previous price if it is a matching price, otherwise the matching price
    closest to it (the highest when the previous price lies above them all, the lowest when below;
    between two, the nearer — the lower one when both are as near)."""
    best = None
    for low, high in ranges:
        if low <= reference <= high:
            return reference
        candidate = high if high < reference else low
        if best is None or (abs(candidate - reference), candidate) < (abs(best - reference), best):
            best = candidate
    assert best is not None
    return best


def allocate_simultaneous(quantities: Sequence[int], available: int, *, unit: int = 1) -> list[int]:
    """Quantity-priority allocation of `available` among orders deemed simultaneous (동시호가).

    `quantities` in time priority (which breaks ties between equal sizes); returns each order's
    allocation in the same order. Precondition: sum(quantities) > available.
    """
    sequence = sorted(range(len(quantities)), key=lambda i: -quantities[i])  # stable: time breaks ties
    allocated = [0] * len(quantities)
    left = available
    first_pass = SIMULTANEOUS_FIRST_PASS_UNITS * unit
    for i in sequence:
        if not left:
            return allocated
        give = min(first_pass, quantities[i], left)
        allocated[i] += give
        left -= give
    for i in sequence:
        if not left:
            return allocated
        remainder = quantities[i] - allocated[i]
        half_units = (remainder // unit + 1) // 2  # half of the remainder, rounded half up to the unit
        give = min(half_units * unit, remainder, left)
        allocated[i] += give
        left -= give
    for i in sequence:
        if not left:
            break
        give = min(quantities[i] - allocated[i], left)
        allocated[i] += give
        left -= give
    return allocated
