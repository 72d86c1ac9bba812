"""Issue 13 point 5: the futures position keys against the embedded exchange's futures gateway.

``F`` flatten, ``H`` close half, ``V`` reverse, ``E`` stop to breakeven: each key opens the
review (nothing leaves before Enter), and the test reads the exchange's own positions and
orders afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from tests.app.conftest import SYMBOLS, live_app, ready, until
from tui.exchange.orders import OrderRequest
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.orders import FormInput, Reviewed, build_order
from tui.orders.context import order_context
from tui.screens.market import MarketScreen
from tui.screens.review import ReviewScreen

PF = "PF_XBTUSD"


@pytest.fixture
async def quiet() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(ExchangeConfig(port=0, rate=0.01, seed=5, symbols=SYMBOLS))
    yield ex
    await ex.stop()


def position(ex: RunningExchange) -> Decimal:
    """The demo account's PF_XBTUSD position on the exchange (signed)."""
    return ex.engine.ledger.qty("demo", PF)


def activity(ex: RunningExchange) -> tuple[int, int]:
    """Fills and resting orders of demo's futures account: unchanged when nothing was sent."""
    return len(ex.engine.futures_fills("demo")), len(ex.engine.futures_orders("demo"))


async def on_futures(pilot: Any, app: Any) -> MarketScreen:
    await ready(pilot, app)
    await pilot.press("slash", *"PF_X", "enter")
    await until(
        pilot,
        lambda: (
            app.market_screen.symbol == PF
            and app.store.market(PF).book_state == "ok"
            and app.store.account.futures_authenticated
        ),
    )
    screen = app.market_screen
    assert isinstance(screen, MarketScreen)
    return screen


def open_long(ex: RunningExchange, qty: str) -> None:
    pair = ex.engine.pairs[PF]
    ex.engine.add_order("demo", OrderRequest("market", "buy", PF, pair.qty_ticks(qty)))
    ex.ctx.publish()


async def review_then(pilot: Any, app: Any, key: str, title: str) -> ReviewScreen:
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
    review = app.screen
    assert isinstance(review, ReviewScreen) and review.title is not None and review.title.startswith(title)
    return review


async def test_flatten_close_half_and_reverse_are_reviewed_then_sent(quiet: RunningExchange) -> None:
    ex = quiet
    app = live_app(ex)
    async with app.run_test(size=(160, 45)) as pilot:
        await on_futures(pilot, app)
        open_long(ex, "0.0100")
        await until(pilot, lambda: getattr(app.store.account.positions.get(PF), "size", 0) == Decimal("0.01"))

        # H: half, reduce-only, reviewed; nothing leaves before Enter
        sent = activity(ex)
        review = await review_then(pilot, app, "H", "Close half")
        p = review.params
        assert (p.side, p.order_type, p.order_qty, p.reduce_only) == (
            "sell",
            "market",
            Decimal("0.005"),
            True,
        )
        await pilot.pause(0.2)
        assert activity(ex) == sent and position(ex) == Decimal("0.01")
        await pilot.press("enter")
        await until(pilot, lambda: position(ex) == Decimal("0.005"))
        await until(pilot, lambda: app.store.account.positions[PF].size == Decimal("0.005"))

        # V: twice the position the other way, not reduce-only
        review = await review_then(pilot, app, "V", "Reverse: long 0.0050 → short 0.0050")
        p = review.params
        assert (p.side, p.order_qty, p.reduce_only) == ("sell", Decimal("0.010"), False)
        await pilot.press("enter")
        await until(pilot, lambda: position(ex) == Decimal("-0.005"))
        await until(pilot, lambda: app.store.account.positions[PF].size == Decimal("-0.005"))

        # F: the whole short closed by a reduce-only market buy; Esc first sends nothing
        sent = activity(ex)
        await review_then(pilot, app, "F", "Flatten: close the short 0.0050")
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert activity(ex) == sent and position(ex) == Decimal("-0.005")
        review = await review_then(pilot, app, "F", "Flatten")
        p = review.params
        assert (p.side, p.order_qty, p.reduce_only) == ("buy", Decimal("0.005"), True)
        await pilot.press("enter")
        await until(pilot, lambda: position(ex) == 0)
        await until(
            pilot, lambda: PF not in app.store.account.positions or app.store.account.positions[PF].size == 0
        )
        # no position: the key says so and sends nothing
        sent = activity(ex)
        await pilot.press("F")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ReviewScreen) and activity(ex) == sent


async def test_stop_to_breakeven_amends_the_stop_and_refuses_when_it_would_fire(
    quiet: RunningExchange,
) -> None:
    ex = quiet
    app = live_app(ex)
    async with app.run_test(size=(160, 45)) as pilot:
        await on_futures(pilot, app)
        open_long(ex, "0.0100")
        await until(pilot, lambda: getattr(app.store.account.positions.get(PF), "size", 0) == Decimal("0.01"))
        pos = app.store.account.positions[PF]
        # bought at the ask: the entry is above the mark (the mid), a stop there would fire at once
        sent = activity(ex)
        await pilot.press("E")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ReviewScreen) and activity(ex) == sent
        assert any("would fire at once" in e.text for e in app.store.activity)

        # a protective stop 2 % under the entry, placed through the desk
        ctx = order_context(app.store, PF)
        assert ctx is not None
        low = ctx.inst.price_decimal(ctx.inst.round_price(pos.entry_price * Decimal("0.98"), up=False))
        draft = build_order(
            FormInput("sell", "stop-loss", qty="0.01", trigger=format(low, "f"), reduce_only=True),
            ctx.inst,
            ctx.book,
            ctx.balances,
            app.settings.guards,
            margin_available=ctx.margin_available,
            positions=ctx.positions,
        )
        assert draft.params is not None and draft.review is not None, draft.errors
        app.desk.place(Reviewed(draft.params, draft.review))
        await until(
            pilot, lambda: any(o.order_type == "stop-loss" for o in app.store.account.orders.values())
        )
        stop = next(o for o in app.store.account.orders.values() if o.order_type == "stop-loss")

        # another account lifts the offer 1 %: the mark moves over the entry, the long is in profit
        pair = ex.engine.pairs[PF]
        ex.engine.open_futures_account("carol", Decimal(10_000_000))
        above = pair.round_price(pos.entry_price * Decimal("1.01"), up=True)
        ex.engine.add_order("carol", OrderRequest("limit", "buy", PF, pair.qty_ticks("20"), above))
        ex.ctx.publish()
        await until(pilot, lambda: (app.store.account.positions[PF].mark_price or 0) > pos.entry_price)

        review = await review_then(pilot, app, "E", "Stop to breakeven")
        be = ctx.inst.price_decimal(ctx.inst.round_price(pos.entry_price, up=True))
        assert review.amend is not None and review.params.trigger_price == be
        await pilot.press("enter")
        live = ex.engine.order(stop.order_id)
        await until(pilot, lambda: live is not None and live.trigger_price == pair.price_ticks(be))
        assert live is not None and live.order_id == stop.order_id and live.reduce_only  # amended, same order
        assert [o.order_id for o in ex.engine.futures_orders("demo")] == [stop.order_id]  # no second stop
