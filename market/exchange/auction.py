"""The single-price call auction (단일가매매): the uncross price and the allocation at the limits.

Rules (유가증권시장 업무규정, law.krx.co.kr lawid=000109; 코스닥시장 업무규정 is the same in substance):
- 제23조 (단일가에 의한 개별경쟁매매): the price is the 합치가격 at which
  1. every sell order below it and every buy order above it (and every market order) fills in full,
  2. at the price itself one side fills in full and the other at least in part
  — i.e. the price that executes the largest quantity; the side with less quantity fills entirely.
- 합치가격 tie (제23조, "합치가격이 2개 이상인 경우"): the previous price (직전의 가격; before the
  day's first trade the base price) if it is one of them; otherwise the one closest to it — the
  highest when the previous price lies above them all, the lowest when below.
- 제22조② (매매체결의 원칙): price priority, then time priority; a market order ranks with a limit
  at the band limit (매수 시장가 = 상한가 매수, 매도 시장가 = 하한가 매도), so the engine enters
  market orders in a call at the band limit and this module never sees "market" as a kind.
- 제22조③ and 시행세칙 제34조: when the opening price (or the first price after a halt or VI) is the
  upper or lower limit, the orders at that limit on the rationed side are deemed simultaneous
  (동시호가): time priority gives way to quantity priority, allocated in passes from the largest order
  down — 100 × the trading unit each, then half of each one's remainder (rounded half up to the
  unit), then the rest in the same order (KRX "주식시장 매매제도의 이해", 동시호가 수량배분 예시:
  orders 1,000/200/10,000/5,000 sharing 13,100 get 550/150/9,850/2,550). The closing call is not
  one of those events.
"""

from __future__ import annotations

from collections.abc import Sequence

SIMULTANEOUS_FIRST_PASS_UNITS = 100


def uncross(bids: Sequence[tuple[int, int]], asks: Sequence[tuple[int, int]], reference: int) -> tuple[int | None, int]:
    """(price, executed quantity) of a call auction; (None, 0) when nothing crosses.

    `bids` are (price, quantity) levels in descending price, `asks` in ascending price;
    `reference` is the previous price (직전의 가격) for the tie rule.
    """
    if not bids or not asks or bids[0][0] < asks[0][0]:
        return None, 0
    low_price = asks[0][0]
    high_price = bids[0][0]
    # Only prices inside [best ask, best bid] can execute anything; walk them upward, with the
    # demand at or above the price shrinking and the supply at or below it growing.
    prices = sorted({p for p, _ in bids if p >= low_price} | {p for p, _ in asks if p <= high_price})
    demand = sum(q for p, q in bids if p >= low_price)
    supply = 0
    bid_index = len(bids) - 1
    while bid_index >= 0 and bids[bid_index][0] < low_price:
        bid_index -= 1
    ask_index = 0
    best = 0
    best_low = best_high = None
    for price in prices:
        while ask_index < len(asks) and asks[ask_index][0] <= price:
            supply += asks[ask_index][1]
            ask_index += 1
        while bid_index >= 0 and bids[bid_index][0] < price:
            demand -= bids[bid_index][1]
            bid_index -= 1
        executed = min(demand, supply)
        if executed > best:
            best, best_low, best_high = executed, price, price
        elif executed == best and best_high is not None:
            best_high = price
    if not best:
        return None, 0
    # The prices executing the most form one interval (the quantity between two level prices is
    # the smaller of theirs, so it equals the maximum whenever both ends do): clamp the reference.
    return min(max(reference, best_low), best_high), best


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
