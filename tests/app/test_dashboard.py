"""The dashboard driven the way a user drives it: key presses against the embedded exchange."""

from __future__ import annotations

from tests.app.conftest import live_app, screen_text, until
from tui.exchange.server import RunningExchange
from tui.screens.help import HelpScreen
from tui.screens.market import MarketScreen
from tui.widgets.ladder import BookLadder
from tui.widgets.watchlist import Watchlist


def _screen(app: object) -> MarketScreen:
    screen = app.market_screen  # type: ignore[attr-defined]
    assert isinstance(screen, MarketScreen)
    return screen


async def test_live_book_symbol_switch_depth_group_help(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(120, 35)) as pilot:
        await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok")
        await pilot.pause(0.2)
        screen = _screen(app)
        ladder = screen.query_one("#book", BookLadder)
        assert ladder.view is not None and any(r.kind == "spread" for r in ladder.view.rows)
        assert "verified" in str(ladder.border_subtitle)

        # `/` jumps to a symbol by fuzzy name
        await pilot.press("slash", "e", "t", "h", "enter")
        await until(pilot, lambda: screen.symbol == "ETH/USD")
        assert "ETH/USD" in str(ladder.border_title)
        await until(pilot, lambda: ladder.view is not None and ladder.view.price_precision == 2)

        # `d` cycles the depth of this symbol's book alone
        await pilot.press("d")
        await until(pilot, lambda: app.store.market("ETH/USD").book_depth == 100)
        await until(pilot, lambda: app.store.market("ETH/USD").book_state == "ok")
        assert app.store.market("BTC/USD").book_depth == 25

        # `+` groups levels into buckets of ticks, `-` goes back
        await pilot.press("plus")
        assert screen.group == 2
        await pilot.pause(0.1)
        assert ladder.view is not None
        spread_row = ladder.view.rows[ladder.view.spread_index]
        assert "group ×2" in spread_row.note
        prices = [r.price for r in ladder.view.rows if r.kind == "bid"]
        assert all(p % 2 == 0 for p in prices)
        await pilot.press("minus")
        assert screen.group == 1

        # `?` lists every binding with its id
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for needle in ("order.buy", "book.depth-cycle", "market.search", "Cancel all"):
            assert needle in text
        await pilot.press("escape")
        assert isinstance(app.screen, MarketScreen)


async def test_command_palette_changes_depth_and_interval(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(120, 35)) as pilot:
        await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok")
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"depth: 500")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: app.store.market("BTC/USD").book_depth == 500)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"interval: 30m")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: app.store.market("BTC/USD").ohlc_interval == 30)
        await until(pilot, lambda: bool(app.store.market("BTC/USD").candles.get(30)))

        # the screen offers what fits the symbol shown; the App adds only the mode switch
        screen = _screen(app)
        names = [e.name for e in screen.palette_entries()]
        assert "Symbol: ETH/USD" in names and "Candle interval: 1w" in names and "Book depth: 1000" in names
        modes = [c.title for c in app.get_system_commands(screen) if c.title.startswith("Mode:")]
        assert modes == ["Mode: switch to PAPER", "Mode: switch to LIVE"]  # not the mode it is in


async def test_resize_to_80x24_keeps_book_tape_and_status(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok")
        screen = _screen(app)
        assert screen.query_one(Watchlist).display
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        assert screen.has_class("-narrow") and screen.has_class("-short")
        book = screen.query_one("#book", BookLadder)
        assert book.region.width >= 40 and book.region.height >= 8
        assert screen.query_one("#tape").region.width > 0
        assert screen.query_one("#status").region.y == 22  # above the footer, never hidden
        await pilot.resize_terminal(120, 35)
        await pilot.pause(0.3)
        assert not screen.has_class("-narrow")


async def test_stale_and_resyncing_books_are_flagged(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(120, 35)) as pilot:
        await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok")
        exchange.faults.corrupt_checksum = 1.0
        ladder = _screen(app).query_one("#book", BookLadder)
        await until(pilot, lambda: ladder.has_class("-resyncing"))
        assert "RESYNCING" in str(ladder.border_subtitle)
        exchange.faults.corrupt_checksum = 0.0
        await until(pilot, lambda: app.store.market("BTC/USD").book_state == "ok", timeout=8)
        await until(pilot, lambda: not ladder.has_class("-resyncing"))
