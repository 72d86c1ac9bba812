"""Trading from the keyboard against the embedded exchange: what a user presses, what the exchange sees."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.app.conftest import fill_form, live_app, order_panel, panel_closed, ready, until
from tui.exchange.server import RunningExchange
from tui.screens.confirm import AskValue, Confirm
from tui.screens.market import MarketScreen
from tui.screens.order_form import ReviewScreen
from tui.widgets.account import FillsTable, OrdersTable
from tui.widgets.ladder import BookLadder


def demo_orders(ex: RunningExchange) -> list[Any]:
    return ex.engine.open_orders("demo")


def live_order(ex: RunningExchange, order_id: str) -> Any:
    """The exchange's own record of the order, read afresh (not a reference kept from before)."""
    o = ex.engine.order(order_id)
    assert o is not None
    return o


async def test_limit_order_round_trip_amend_and_cancel(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("d")  # depth 100, so the order sits inside the ladder
        await until(pilot, lambda: app.store.market("BTC/USD").book_depth == 100)
        await fill_form(pilot, "buy", "0.001", "-0.3%")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("enter")
        await until(pilot, lambda: len(demo_orders(exchange)) == 1)
        order = demo_orders(exchange)[0]
        assert order.qty == 100_000 and order.side == "buy" and order.cl_ord_id
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        table = screen.query_one(OrdersTable)
        await until(pilot, lambda: order.order_id in table._values)
        ladder = screen.query_one("#book", BookLadder)
        await until(pilot, lambda: any(r.own and r.price == order.limit_price for r in ladder.view.rows))  # type: ignore[union-attr]

        # amend the price by one tick with `]`: the exchange's order moves, and keeps its id
        price_before, qty_before = order.limit_price, order.qty
        assert price_before is not None
        tick = exchange.engine.pairs["BTC/USD"].price_increment
        await pilot.press("o", "right_square_bracket")
        await until(pilot, lambda: live_order(exchange, order.order_id).limit_price == price_before + tick)
        assert live_order(exchange, order.order_id).qty == qty_before
        assert [o.order_id for o in demo_orders(exchange)] == [order.order_id]
        assert exchange.requests_received[-1]["method"] == "amend_order"

        # amend the quantity with `a`: a prompt, then the exchange's order holds the new total
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AskValue))
        await pilot.press("ctrl+u", *"0.002", "enter")
        await until(pilot, lambda: live_order(exchange, order.order_id).qty == 200_000)
        assert live_order(exchange, order.order_id).limit_price == price_before + tick
        await until(pilot, lambda: app.store.account.orders[order.order_id].qty == Decimal("0.002"))

        # cancel it with `x`
        await pilot.press("x")
        await until(pilot, lambda: not demo_orders(exchange))
        await until(pilot, lambda: order.order_id not in table._values)


async def test_marketable_order_fills_and_moves_balances(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        btc_before = app.store.account.totals.get("BTC", Decimal(0))
        await fill_form(pilot, "buy", "0.002", "1%")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.review.marketable
        assert review.review.avg_fill is not None
        await pilot.press("enter")
        await until(
            pilot, lambda: app.store.account.totals.get("BTC", Decimal(0)) == btc_before + Decimal("0.002")
        )
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        # the desk sent one order, logged its answer and wrote it to the Activity log
        sent = [r for r in app.desk.request_log if r.label.startswith("buy 0.00200000 BTC/USD @ ")]
        assert len(sent) == 1 and sent[0].reply.ok, app.desk.request_log
        await until(pilot, lambda: any(e.text.startswith(sent[0].label + ": ") for e in app.store.activity))
        # the exchange filled this order for exactly 0.002 BTC, and the app shows those fills
        fills = [f for f in exchange.engine.fills("demo") if f["symbol"] == "BTC/USD"]
        assert fills and {f["side"] for f in fills} == {"buy"}
        assert len({f["order_id"] for f in fills}) == 1
        assert sum(f["last_qty"] for f in fills) == Decimal("0.002")
        order_id = fills[0]["order_id"]
        exchange_fills = {f["trade_id"]: (f["last_price"], f["last_qty"]) for f in fills}

        def ours() -> dict[int | None, tuple[Decimal, Decimal]]:
            return {f.trade_id: (f.price, f.qty) for f in app.store.account.fills if f.order_id == order_id}

        await until(pilot, lambda: ours() == exchange_fills)
        shown = screen.query_one(FillsTable)._values
        await until(
            pilot,
            lambda: {f.exec_id for f in app.store.account.fills if f.order_id == order_id} <= shown.keys(),
        )
        # and each of them printed on the public tape as a buy of that price and size
        tape = app.store.market("BTC/USD").trades
        await until(
            pilot,
            lambda: all(
                any(t.trade_id == tid and t.side == "buy" and (t.price, t.qty) == pq for t in tape)
                for tid, pq in exchange_fills.items()
            ),
        )
        assert app.store.account.totals["USD"] < Decimal(100000)


async def test_cancel_all_needs_confirmation(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        for offset in ("-1%", "-1.1%"):
            await fill_form(pilot, "buy", "0.001", offset)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
            await pilot.press("enter")
            await until(pilot, lambda: panel_closed(app))
        await until(pilot, lambda: len(demo_orders(exchange)) == 2)
        await pilot.press("X")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")
        await pilot.pause(0.2)
        assert len(demo_orders(exchange)) == 2, exchange.requests_received[-3:]
        await pilot.press("X")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: not demo_orders(exchange))


CASES = [
    ("0.00001", "-1%", False, "qty", "Order minimum not met"),
    ("0.001", "97000.05", False, "price", "Tick size check failed"),
    ("abc", "-1%", False, "qty", "not a number"),
    ("50", "-1%", False, "qty", "Insufficient funds"),
    ("0.001", "ask", True, "price", "post-only would cross"),
]


async def test_invalid_inputs_show_their_message_and_send_nothing(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        for qty, price, post_only, field, message in CASES:
            sent_before = len(exchange.requests_received)
            await fill_form(pilot, "buy", qty, price)
            if post_only:
                # price -> time in force -> GTD seconds -> post-only (iceberg row hidden for limits)
                await pilot.press("tab", "tab", "tab", "space", "ctrl+r")
            else:
                await pilot.press("enter")
            await pilot.pause(0.1)
            form = order_panel(app)
            assert form is not None, (qty, price)
            label = form.query_one(f"#{field}-error")
            assert label.has_class("-shown")
            assert message in str(label.render()), (message, str(label.render()))
            assert len(exchange.requests_received) == sent_before
            await pilot.press("escape")
            await until(pilot, lambda: panel_closed(app))
        assert not demo_orders(exchange)


async def test_dead_mans_switch_cancels_when_app_stops_refreshing(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    app.settings.dead_mans_switch.timeout = 1
    app.settings.dead_mans_switch.refresh_every = 0.3  # type: ignore[assignment]
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        await fill_form(pilot, "buy", "0.001", "-1%")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("enter")
        await until(pilot, lambda: len(demo_orders(exchange)) == 1)
        await pilot.press("D")
        await until(
            pilot, lambda: app.store.account.dms_armed and app.store.account.dms_trigger_at is not None
        )
        await pilot.pause(1.5)
        assert len(demo_orders(exchange)) == 1  # refreshed: still alive
        assert app.feed is not None
        app.feed.trading.dead_mans_switch.stop_refreshing()  # what happens when the SSH session dies
        await until(pilot, lambda: not demo_orders(exchange), timeout=4)


async def test_futures_order_round_trip_from_the_keyboard(exchange: RunningExchange) -> None:
    """The same keys trade a futures contract: the order goes over signed REST, the feeds bring it back."""
    from tui.widgets.account import PositionsTable

    app = live_app(exchange)
    product = "PF_XBTUSD"
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("slash", *"PF_X", "enter")
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        await until(pilot, lambda: screen.symbol == product)
        await until(
            pilot,
            lambda: (
                app.store.market(product).book_state == "ok" and app.store.account.futures_margin is not None
            ),
        )
        await fill_form(pilot, "buy", "0.0100", "-0.5%")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("enter")
        await until(pilot, lambda: any(o.symbol == product for o in demo_orders(exchange)))
        order = next(o for o in demo_orders(exchange) if o.symbol == product)
        table = screen.query_one(OrdersTable)
        await until(pilot, lambda: order.order_id in table._values)
        assert order.side == "buy" and order.cl_ord_id

        # `]` amends by one tick over editorder; the order id stays
        price_before = order.limit_price
        await pilot.press("o", "right_square_bracket")
        await until(pilot, lambda: order.limit_price != price_before)
        assert order.limit_price == price_before + exchange.engine.pairs[product].price_increment

        await pilot.press("x")
        await until(pilot, lambda: not any(o.symbol == product for o in demo_orders(exchange)))
        await until(pilot, lambda: order.order_id not in table._values)

        # a marketable limit (at the ask) opens a position, shown with its unrealised P&L
        await pilot.press("escape")
        await fill_form(pilot, "buy", "0.0020", "ask")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("enter")
        await until(pilot, lambda: product in app.store.account.positions, timeout=8)
        await pilot.press("P")
        positions = screen.query_one(PositionsTable)
        await until(pilot, lambda: product in positions._values)
        assert app.store.account.positions[product].size > 0
