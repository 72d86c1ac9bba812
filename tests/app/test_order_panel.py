"""Issue 13 point 3: the order panel docks beside the book (below it on a small terminal), the
book keeps moving while an order is typed, the panel shows the touch, what is available and the
size as typed, and a price handed to it (the ladder's cursor) is the price that is sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.app.conftest import fill_form, live_app, order_panel, panel_closed, ready, until
from tui.exchange.server import RunningExchange
from tui.screens.market import MarketScreen
from tui.screens.review import ReviewScreen
from tui.widgets.ladder import BookLadder


def quotes_text(panel: Any) -> str:
    return str(panel.query_one("#form-quotes").render())


async def test_the_panel_docks_beside_the_book_and_the_book_keeps_moving(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        await fill_form(pilot, "buy", "0.0125")
        panel = order_panel(app)
        assert panel is not None
        assert app.screen is screen  # no screen of its own: the dashboard stays the screen
        await pilot.pause(0.2)
        book = screen.query_one("#book", BookLadder).region
        p = panel.region
        assert p.x >= book.right and p.y < book.bottom and book.y < p.bottom  # side by side
        assert book.width >= 40 and book.height >= 20, book  # the book keeps a readable size
        # the book is repainted while the cursor sits in the panel
        rows = screen.last_rows
        await until(pilot, lambda: screen.last_rows != rows)
        assert app.screen.focused is panel.query_one("#qty")
        # the touch, what is available and the size as typed, from the store
        mk = app.store.market("BTC/USD")
        inst, bk = mk.instrument, mk.book
        assert inst is not None and bk is not None
        usd = app.store.account.balances(app.store.instruments)["USD"].available

        def shown() -> bool:
            bid, ask = bk.best_bid(), bk.best_ask()
            text = quotes_text(panel)
            return (
                bid is not None
                and ask is not None
                and f"bid {inst.format_price(bid[0])}" in text
                and f"ask {inst.format_price(ask[0])}" in text
            )

        await until(pilot, shown)
        text = quotes_text(panel)
        assert f"avail {usd:,.2f} USD" in text and "size 0.01250000 BTC ≈ " in text, text
        await pilot.press("backspace", "backspace", "backspace")  # 0.0125 -> 0.0
        await until(pilot, lambda: "size –" in quotes_text(panel))  # zero: no size to show
        await pilot.press("escape")
        await until(pilot, lambda: panel_closed(app))
        assert app.screen.focused is screen.query_one("#book")


async def test_on_a_small_terminal_the_panel_goes_below_the_book(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        await fill_form(pilot, "sell", "0.001")
        panel = order_panel(app)
        assert panel is not None
        await pilot.pause(0.2)
        book = app.market_screen.query_one("#book", BookLadder).region  # type: ignore[union-attr]
        assert panel.region.y >= book.bottom and book.height >= 6, (book, panel.region)
        assert panel.region.bottom <= 22  # above the status line and the key footer
        assert app.screen.focused is panel.query_one("#qty")
        await pilot.press("escape")
        await until(pilot, lambda: panel_closed(app))


async def test_a_price_handed_to_the_panel_is_the_price_sent(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        bk = app.store.market("BTC/USD").book
        inst = app.store.market("BTC/USD").instrument
        assert bk is not None and inst is not None
        bid = bk.best_bid()
        assert bid is not None
        low = inst.price_decimal(bid[0] - 20 * inst.price_increment)  # 20 ticks under the bid
        panel = screen.open_order_panel("buy", low)
        assert panel is not None
        await until(pilot, lambda: order_panel(app) is panel)
        assert panel.query_one("#price").value == format(low, "f")  # type: ignore[attr-defined]
        await pilot.press(*"0.002")
        # handed another price and side while open: the typed size stays, side and price follow
        lower = inst.price_decimal(bid[0] - 30 * inst.price_increment)
        assert screen.open_order_panel("sell", lower) is panel
        assert panel.side == "sell" and panel.has_class("-sell")
        assert panel.query_one("#price").value == format(lower, "f")  # type: ignore[attr-defined]
        assert panel.query_one("#qty").value == "0.002"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")  # back to a buy
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("enter")
        await until(pilot, lambda: len(exchange.engine.open_orders("demo")) == 1 and panel_closed(app))
        o = exchange.engine.open_orders("demo")[0]
        assert o.side == "buy" and o.qty == inst.qty_ticks(Decimal("0.002"))
        assert o.limit_price == bid[0] - 30 * inst.price_increment  # the price handed over, exactly
