"""The rate counter's cost table, decay and the warning rule (pure: no sockets)."""

from __future__ import annotations

from decimal import Decimal

from tui.orders.rate import RateMeter, cost, rate_problem, reading


def test_costs_follow_the_age_table() -> None:
    # the protocol reference's worked example: add, amend after 7 s, cancel 36 s later -> 1 + 1 + 2 + 4 = 8
    assert cost("add", 0) + cost("amend", 7) + cost("cancel", 43) == 8
    assert [cost("amend", a) for a in (0, 5, 10, 15)] == [4, 3, 2, 1]
    assert [cost("cancel", a) for a in (0, 5, 10, 15, 45, 90, 300)] == [8, 6, 5, 4, 2, 1, 0]


def test_estimate_is_the_last_report_plus_what_was_sent_since() -> None:
    m = RateMeter()
    m.charge("BTC/USD", Decimal(10), 100.0, 125)
    assert m.value("BTC/USD", 102.0, 125) == Decimal("5.32")  # 10 - 2 x 2.34
    assert m.value("BTC/USD", 110.0, 125) == 0
    # a later report replaces the charges before it (it counts refusals as +1, not their cost) ...
    assert m.value("BTC/USD", 101.0, 125, (Decimal(50), 100.5)) == Decimal("48.83")
    # ... and what is sent after it adds on top until the next report
    m.charge("BTC/USD", Decimal(4), 101.0, 125, (Decimal(50), 100.5))
    assert m.value("BTC/USD", 101.0, 125, (Decimal(50), 100.5)) == Decimal("52.83")
    # unknown tier: the slowest decay (1/s), so the estimate errs high
    assert m.value("BTC/USD", 102.0, None) == Decimal("51.83")


def test_warning_near_and_refusal_text_above_the_maximum() -> None:
    m = RateMeter()
    m.charge("BTC/USD", Decimal(98), 0.0, 125)
    msg, trips = rate_problem(reading(m, "BTC/USD", 0.0, 125, None), Decimal(4), "amend")
    assert msg is not None and "near the limit" in msg and not trips
    m.charge("BTC/USD", Decimal(24), 0.0, 125)
    msg, trips = rate_problem(reading(m, "BTC/USD", 0.0, 125, None), Decimal(4), "amend")
    assert trips and msg is not None and "Rate limit exceeded" in msg
    assert reading(m, "BTC/USD", 0.0, 125, None).text() == "rate ~122/125"
    assert reading(m, "BTC/USD", 0.0, 125, (Decimal(3), -1.0)).text() == "rate 122/125"
    assert rate_problem(reading(m, "BTC/USD", 0.0, None, None), Decimal(4), "amend") == (None, False)
