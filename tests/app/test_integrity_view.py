"""What the ladder and the review say about how much of the book is verified, and how late it is."""

from __future__ import annotations

from decimal import Decimal

from tests.app.conftest import fill_form, live_app, ready, screen_text, until
from tui.exchange.server import RunningExchange
from tui.kraken.vocab import CHECKSUM_LEVELS
from tui.screens.market import MarketScreen
from tui.screens.order_form import ReviewScreen
from tui.widgets.ladder import BookLadder, LadderView


def sides(view: LadderView) -> tuple[list[bool], list[bool], list[str]]:
    """(asks best first, bids best first) as unverified flags, and the marker lines."""
    asks = [r.unverified for r in reversed(view.rows[: view.spread_index]) if r.kind == "ask"]
    bids = [r.unverified for r in view.rows[view.spread_index :] if r.kind == "bid"]
    return asks, bids, [r.note for r in view.rows if r.kind == "marker"]


async def test_levels_past_the_checksum_are_marked(exchange: RunningExchange) -> None:
    app = live_app(exchange)  # depth 25: 15 levels a side beyond the checksummed top 10
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        ladder = screen.query_one("#book", BookLadder)
        await until(pilot, lambda: ladder.view is not None and len(sides(ladder.view)[0]) > CHECKSUM_LEVELS)
        assert ladder.view is not None
        asks, bids, markers = sides(ladder.view)
        assert markers == ["levels 11+ unverified"] * 2
        for flags in (asks, bids):
            assert flags == [False] * CHECKSUM_LEVELS + [True] * (len(flags) - CHECKSUM_LEVELS)
        # the marker sits exactly at the boundary on both sides
        rows = ladder.view.rows
        first, last = (i for i, r in enumerate(rows) if r.kind == "marker")
        assert rows[first - 1].unverified and not rows[first + 1].unverified
        assert not rows[last - 1].unverified and rows[last + 1].unverified

        # what the store reports wins: fewer verified levels, and the symbol's lag
        mk = app.store.market("BTC/USD")
        # (setattr: these become fields of the store once the feed reports them)
        setattr(mk, "verified_levels", 4)  # noqa: B010
        setattr(mk, "lag_s", 1.26)  # noqa: B010
        screen.refresh_from_store(force=True)
        asks, bids, markers = sides(ladder.view)
        assert markers == ["levels 5+ unverified"] * 2 and asks[:5] == [False] * 4 + [True]
        assert str(ladder.border_subtitle) == "verified ✓  lag 1.3s"
        setattr(mk, "verified_levels", None)  # noqa: B010
        screen.refresh_from_store(force=True)
        assert sides(ladder.view)[2] == [] and not any(sides(ladder.view)[0])


async def test_the_review_says_which_levels_the_walk_used(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        exchange.config.rate = 0  # the synthetic market stands still: the book read here is the one walked
        book = app.store.market("BTC/USD").book
        assert book is not None
        version = -1
        while version != book.version:
            version = book.version
            await pilot.pause(0.3)
        asks = book.asks(12)
        assert len(asks) == 12
        # exactly the first 11 asks, limited at the 11th: one level past the verified top 10
        qty = Decimal(sum(q for _, q in asks[:11])).scaleb(-book.qty_precision)
        price = Decimal(asks[10][0]).scaleb(-book.price_precision)
        await fill_form(pilot, "buy", format(qty, "f"), format(price, "f"))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.review.walk == "walked 11 levels, 1 of them below the verified top 10"
        text = screen_text(app)  # the row wraps at this width
        assert "Book walk" in text and "walked 11 levels, 1 of them below the verified" in text
        await pilot.press("escape")
