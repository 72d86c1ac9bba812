"""The market screen's compositor writes the same updates as Textual's and asks fewer widgets for
their lines: none outside the change, none whose every changed cell a widget in front covers
(recorded session, no sockets)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from textual._compositor import Compositor, CompositorUpdate
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tui.screens.crop_compositor import CropCompositor
from tui.widgets.footer import KeyFooter
from tui.widgets.ladder import BookLadder
from tui.widgets.tape import TradesTape
from tui.widgets.watchlist import Watchlist

from .conftest import FixtureApp


def _counting(widget: Widget, calls: list[str]) -> None:
    render = widget.render_lines

    def counted(crop: Region) -> list[Strip]:
        calls.append(type(widget).__name__)
        return render(crop)

    widget.render_lines = counted  # type: ignore[method-assign]


@contextmanager
def _counting_divides(divided: list[Strip]) -> Iterator[None]:
    divide = Strip.divide

    def counted(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
        pieces = divide(self, cuts)
        if len(pieces) > 1:
            divided.append(self)
        return pieces

    Strip.divide = counted  # type: ignore[method-assign]
    try:
        yield
    finally:
        Strip.divide = divide  # type: ignore[method-assign]


async def test_partial_updates_are_textuals_and_skip_widgets_outside_them() -> None:
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await app.painted(pilot)
        ours = screen._compositor
        assert isinstance(ours, CropCompositor)
        stock = Compositor()
        ladder = screen.query_one("#book", BookLadder)
        wl = screen.query_one(Watchlist)
        footer = screen.query_one(KeyFooter)  # docked on the screen: its clip is the terminal
        calls: list[str] = []
        _counting(footer, calls)
        _counting(screen, calls)  # behind every widget: its lines are all covered in the book
        assert ladder.show_vertical_scrollbar
        _counting(ladder.vertical_scrollbar, calls)  # beside the rows the ladder repaints
        book = ladder.region
        rows = ladder.scrollable_content_region  # the cells in sight, beside the scrollbar
        regions = [
            Region(book.x, book.y + 3, book.width, 10),  # rows of the book
            Region(book.x, book.y + 3, 160 - book.x, 10),  # the book and the panels right of it
            Region(0, footer.region.y - 1, 160, 1),  # the status bar above the footer
            Region(wl.region.right - 3, book.y + 2, 10, 4),  # across the watchlist's edge
            Region(0, 0, 160, 45),  # everything
            Region(rows.x, rows.y + 3, rows.width, 10),  # rows as the ladder repaints them
        ]
        for region in regions:
            # laid out as the screen is now (on a slow machine the layout may still have moved
            # after the first paint; the two must render the same arrangement)
            stock.reflow(screen, screen.size)
            written: list[str] = []
            for compositor in (ours, stock):
                calls.clear()
                compositor._dirty_regions = {region}
                divided: list[Strip] = []
                with _counting_divides(divided):
                    update = compositor.render_update()
                assert isinstance(update, CompositorUpdate)
                written.append(update.render_segments(app.console))
                if compositor is ours and not region.overlaps(footer.region):
                    assert "KeyFooter" not in calls, region  # far from the change: not asked
                if compositor is ours and region in (regions[0], regions[-1]):
                    assert "MarketScreen" not in calls  # the ladder covers every changed cell
                if compositor is ours and region == regions[-1]:
                    # beside the rows: not asked, and its first column (where the update's cursor
                    # only stops) does not make the ladder cut its lines there
                    assert "ScrollBar" not in calls
                    assert divided == []
                if compositor is stock:
                    assert "KeyFooter" in calls, region  # Textual asks it every time
                    assert "MarketScreen" in calls, region  # and cuts its lines at every edge
            assert written[0] == written[1], region
        # one update of a repaint: two runs of ladder rows, the tape's rows and the status bar
        tape = screen.query_one(TradesTape).scrollable_content_region
        several = {
            Region(rows.x, rows.y + 2, rows.width, 3),
            Region(rows.x, rows.y + 9, rows.width, 5),
            Region(tape.x, tape.y, tape.width, tape.height),
            Region(0, footer.region.y - 1, 160, 1),
        }
        stock.reflow(screen, screen.size)
        updates: list[str] = []
        for compositor in (ours, stock):
            compositor._dirty_regions = set(several)
            update = compositor.render_update()
            assert isinstance(update, CompositorUpdate)
            updates.append(update.render_segments(app.console))
        assert updates[0] == updates[1]
