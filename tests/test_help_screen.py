"""The help screen reads like the keyboard and fits 80x24 (driven with Pilot, as a person would)."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll

from tui.app import KrakenApp
from tui.config import Settings
from tui.screens.help import HelpScreen, key_label
from tui.screens.market import MarketScreen
from tui.screens.order_form import OrderForm, ReviewScreen


def _text(app: KrakenApp) -> list[str]:
    """The terminal's rows as text, exactly as composed (one string per screen row)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _settings() -> Settings:
    return Settings(log_file=None, futures_symbols=[], keymap={"order.cancel": "delete"})


def test_keys_are_shown_as_printed_on_the_keys() -> None:
    assert key_label("left_square_bracket") == "["
    assert key_label("right_square_bracket") == "]"
    assert key_label("slash") == "/"
    assert key_label("question_mark") == "?"
    assert key_label("plus,equals_sign") == "+, ="
    assert key_label("ctrl+p") == "ctrl+p"
    assert key_label("escape,question_mark,q") == "esc, ?, q"


async def test_help_fits_80x24_scrolls_and_lists_every_key() -> None:
    app = KrakenApp(_settings(), "DEMO", start_feed=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert isinstance(app.screen, MarketScreen)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-keys", VerticalScroll)
        region = body.region
        assert region.x >= 0 and region.right <= 80 and region.bottom <= 24, region
        assert body.max_scroll_y > 0  # more than one screenful at 80x24: it must scroll
        seen: list[str] = []
        y = 0
        while True:
            body.scroll_to(y=y, animate=False)
            await pilot.pause(0.05)
            seen += _text(app)
            if y >= body.max_scroll_y:
                break
            y += region.height - 3
        text = "\n".join(seen)
        ids = [
            b.id
            for src in (MarketScreen.BINDINGS, OrderForm.BINDINGS, ReviewScreen.BINDINGS)
            for b in src
            if isinstance(b, Binding) and b.id
        ]
        for bid in ids:
            assert bid in text, bid
        for row in ("[   ", "]   ", "/   ", "?   ", "+, =", "del   ", "ctrl+r", "ctrl+v", "BUY / SELL"):
            assert any(line.lstrip("│ ").startswith(row) for line in seen), row
        assert "Go to Activity" in text and "Go to Log" not in text
        for name in ("left_square_bracket", "question_mark", "slash", "right_square_bracket"):
            assert name not in text
        assert not [line for line in seen if "…" in line], "a clipped row"
        # End reaches the last row, Esc closes
        await pilot.press("end")
        await pilot.pause(0.1)
        assert "help.close" in "\n".join(_text(app))
        await pilot.press("escape")
        assert isinstance(app.screen, MarketScreen)
