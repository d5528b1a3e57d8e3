"""Table-driven tests of the KRX rules every part of the platform shares."""

import pytest

from market import rules


@pytest.mark.parametrize(
    ("price", "tick"),
    [
        (1, 1),
        (1_999, 1),
        (2_000, 5),
        (4_995, 5),
        (4_999, 5),
        (5_000, 10),
        (19_990, 10),
        (20_000, 50),
        (49_950, 50),
        (50_000, 100),
        (199_900, 100),
        (200_000, 500),
        (499_500, 500),
        (500_000, 1_000),
        (2_500_000, 1_000),
    ],
)
def test_tick_size_at_every_boundary(price, tick):
    assert rules.tick_size_for(price) == tick


def test_negative_price_has_no_tick():
    with pytest.raises(ValueError):
        rules.tick_size_for(-1)


@pytest.mark.parametrize(
    ("below", "at"),
    [(1_999, 2_000), (4_995, 5_000), (19_990, 20_000), (49_950, 50_000), (199_900, 200_000), (499_500, 500_000)],
)
def test_one_tick_across_each_boundary(below, at):
    assert rules.tick_up(below) == at
    assert rules.tick_down(at) == below
    assert rules.is_on_tick(below) and rules.is_on_tick(at)


@pytest.mark.parametrize(
    ("price", "start", "steps", "end"),
    [(1_998, "up", 3, 2_005), (2_005, "down", 3, 1_998), (49_900, "up", 3, 50_100), (500_000, "down", 2, 499_000)],
)
def test_tick_steps(price, start, steps, end):
    move = rules.tick_up if start == "up" else rules.tick_down
    assert move(price, steps) == end


def test_tick_down_never_goes_below_one():
    assert rules.tick_down(1) == 1
    assert rules.tick_down(3, 5) == 1


@pytest.mark.parametrize(
    ("price", "mode", "expected"),
    [
        (1_999.4, "nearest", 1_999),
        (1_999.5, "nearest", 2_000),
        (2_001, "nearest", 2_000),
        (2_003, "nearest", 2_005),
        (2_002.5, "nearest", 2_005),
        (2_004, "down", 2_000),
        (2_001, "up", 2_005),
        (4_997, "nearest", 4_995),
        (4_998, "nearest", 5_000),
        (4_999, "down", 4_995),
        (19_995, "nearest", 20_000),
        (19_994, "nearest", 19_990),
        (20_024, "nearest", 20_000),
        (20_025, "nearest", 20_050),
        (49_990, "down", 49_950),
        (49_990, "up", 50_000),
        (71_049, "nearest", 71_000),
        (71_050, "nearest", 71_100),
        (199_949, "nearest", 199_900),
        (199_999, "up", 200_000),
        (200_250, "nearest", 200_500),
        (200_249, "nearest", 200_000),
        (499_999, "down", 499_500),
        (500_499, "nearest", 500_000),
        (500_500, "nearest", 501_000),
        (0.4, "nearest", 1),
        (-5, "down", 1),
        (50_000, "up", 50_000),
        (50_000, "down", 50_000),
    ],
)
def test_round_to_tick(price, mode, expected):
    assert rules.round_to_tick(price, mode) == expected
    assert rules.is_on_tick(expected)


@pytest.mark.parametrize(
    ("base", "lower", "upper"),
    [
        (10_000, 7_000, 13_000),
        (71_000, 49_700, 92_300),  # upper in the 100-won band, lower in the 50-won band
        (1_999, 1_400, 2_595),  # 2,598 is not on the 5-won grid: truncated
        (4_995, 3_500, 6_490),
        (19_990, 14_000, 25_950),  # 25,980 → 25,950 on the 50-won grid
        (49_950, 35_000, 64_900),
        (199_900, 140_000, 259_500),
        (499_500, 350_000, 649_000),
        (500_000, 350_000, 650_000),
        (1_012_000, 709_000, 1_315_000),
        (3, 3, 3),  # 30% of 3 won is 0 won: the band collapses onto the base
        (1, 1, 1),
    ],
)
def test_price_limit_band(base, lower, upper):
    assert rules.price_limit_band(base) == (lower, upper)
    assert rules.is_on_tick(lower) and rules.is_on_tick(upper)
    assert lower >= base * 0.7 - 1e-9 and upper <= base * 1.3 + 1e-9
    assert rules.price_within_band(lower, base) and rules.price_within_band(upper, base)
    assert not rules.price_within_band(rules.tick_up(upper), base)
    if lower > 1:
        assert not rules.price_within_band(rules.tick_down(lower), base)


def test_band_needs_a_positive_base():
    with pytest.raises(ValueError):
        rules.price_limit_band(0)
