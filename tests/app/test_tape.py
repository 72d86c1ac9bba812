"""The tape on the embedded exchange: a market order that walks the book is one sweep line with
its exact average and total, lit (and rung) above the symbol's threshold; ``T`` sets it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from tests.app.conftest import SYMBOLS, live_app, ready, until
from tui.config import Settings
from tui.exchange.market import TAKER
from tui.exchange.orders import OrderRequest
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.screens.confirm import AskValue
from tui.screens.market import MarketScreen
from tui.screens.tape_keys import parse_threshold
from tui.widgets.tape import TradesTape


@pytest.fixture
async def quiet() -> AsyncIterator[RunningExchange]:
    """A seeded book and no synthetic flow: every print on the tape is one the test made."""
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, seed=5, symbols=SYMBOLS))
    yield ex
    await ex.stop()


def sweep(ex: RunningExchange, symbol: str, side: str, levels: int) -> list[tuple[Decimal, Decimal]]:
    """One market order taking the best ``levels`` levels whole; the (price, qty) of each maker
    order it fills, in the order the engine fills them."""
    pair = ex.pairs[symbol]
    book_side = "ask" if side == "buy" else "bid"
    fills = [
        (pair.price_decimal(price), pair.qty_decimal(o.remaining))
        for price, orders in ex.engine.l3_levels(symbol, book_side, levels)
        for o in orders
    ]
    qty = sum(o.remaining for _, orders in ex.engine.l3_levels(symbol, book_side, levels) for o in orders)
    ex.engine.add_order(TAKER, OrderRequest("market", side, symbol, qty))
    ex.publish()
    return fills


def rendered(tape: TradesTape, row: int) -> str:
    return tape.render_line(row).text


async def test_a_sweep_is_one_line_with_its_average_total_and_count(
    quiet: RunningExchange, monkeypatch: Any
) -> None:
    app = live_app(quiet, tape={"thresholds": {"BTC/USD": "0.01"}, "bell": True})
    bells: list[int] = []
    async with app.run_test(size=(160, 45)) as pilot:
        monkeypatch.setattr(app, "bell", lambda: bells.append(1))
        await ready(pilot, app)
        tape = app.screen.query_one(TradesTape)
        # what a symbol first shows is its history (Kraken's trade snapshot): it never rings
        sweep(quiet, "BTC/USD", "sell", 2)
        await until(pilot, lambda: bool(tape.lines))
        await pilot.pause(0.3)
        assert bells == []
        fills = sweep(quiet, "BTC/USD", "buy", 3)
        assert len(fills) >= 3
        await until(pilot, lambda: tape.lines[0].count == len(fills))
        total = sum((q for _, q in fills), Decimal(0))
        avg = sum((p * q for p, q in fills), Decimal(0)) / total  # by hand, in Decimal
        line = rendered(tape, 0)
        assert f"B×{len(fills)}" in line
        assert line.split()[-1] == format(total, "f")
        shown = line.split()[2]
        exact_at_2 = avg.quantize(Decimal("0.01"))
        assert Decimal(shown.lstrip("~")) == exact_at_2 and shown.startswith("~") == (exact_at_2 != avg)
        # above 0.01 BTC: lit, and the bell rang once for it
        assert total >= Decimal("0.01")
        assert any(seg.style is not None and seg.style.reverse for seg in tape.render_line(0))
        await until(pilot, lambda: bells == [1])
        # a sell of one level prints on its own line, under the threshold if small: not lit
        one = sweep(quiet, "BTC/USD", "sell", 1)
        await until(pilot, lambda: tape.lines[0].side == "sell")
        assert rendered(tape, 0).split()[1].startswith("S")
        assert rendered(tape, 1).startswith(line[:9])  # the sweep moved down a line, unchanged
        lit = any(seg.style is not None and seg.style.reverse for seg in tape.render_line(0))
        assert lit == (sum(q for _, q in one) >= Decimal("0.01"))


async def test_T_sets_the_threshold_for_the_shown_symbol(quiet: RunningExchange) -> None:
    app = live_app(quiet)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        screen = app.screen
        assert isinstance(screen, MarketScreen)
        tape = screen.query_one(TradesTape)
        sweep(quiet, "BTC/USD", "buy", 2)
        await until(pilot, lambda: bool(tape.lines) and tape.lines[0].count > 1)
        assert tape.threshold is None
        assert not any(seg.style is not None and seg.style.reverse for seg in tape.render_line(0))
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, AskValue))
        await pilot.press(*"abc", "enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, AskValue)  # refused, the prompt stays with the reason
        await pilot.press("ctrl+u", *"0.00001", "enter")
        await until(pilot, lambda: isinstance(app.screen, MarketScreen))
        await until(pilot, lambda: tape.threshold == Decimal("0.00001"))
        assert screen.tape_threshold("BTC/USD") == Decimal("0.00001")
        assert screen.tape_threshold("ETH/USD") is None
        assert any(seg.style is not None and seg.style.reverse for seg in tape.render_line(0))
        # an empty answer clears it
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, AskValue))
        await pilot.press("ctrl+u", "enter")
        await until(pilot, lambda: tape.threshold is None)
        assert not any(seg.style is not None and seg.style.reverse for seg in tape.render_line(0))


def test_threshold_text_is_read_as_the_order_form_reads_numbers() -> None:
    assert parse_threshold("0.5") == Decimal("0.5")
    assert parse_threshold("1,5") == "use a point for decimals, no separators (1.5, 1000.5)"
    assert isinstance(parse_threshold("1_000"), str) and isinstance(parse_threshold("abc"), str)
    assert isinstance(parse_threshold("0"), str) and isinstance(parse_threshold("-1"), str)
    assert isinstance(parse_threshold("1e13"), str)  # beyond any market: a typo


def test_config_thresholds_must_be_positive() -> None:
    assert Settings(tape={"thresholds": {"BTC/USD": "0.5"}}).tape.thresholds == {"BTC/USD": Decimal("0.5")}
    with pytest.raises(ValidationError, match="above zero"):
        Settings(tape={"thresholds": {"BTC/USD": "0"}})
