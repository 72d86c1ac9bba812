"""The tape's key and painting on the market screen: ``T`` sets the shown symbol's size threshold.

A mixin, so the market screen keeps one class. Thresholds start from ``[tape] thresholds`` in the
config; ``T`` changes the shown symbol's for this session (an empty answer clears it). A new line
at or above it is highlighted and, with ``[tape] bell``, rings the bell.

| key | action |
|---|---|
| `T` | set the tape's size threshold for the shown symbol |
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from textual import on
from textual.binding import Binding

from tui.config import Settings
from tui.orders.parse import num
from tui.screens.confirm import AskValue
from tui.screens.trading import TradingScreen
from tui.store import MarketState
from tui.widgets.tape import CAPACITY, TradesTape

__all__ = ["TapeKeys", "parse_threshold"]

# a size beyond any market's daily volume is a typo, not a threshold
_MAX_THRESHOLD = Decimal(10) ** 12


def parse_threshold(text: str) -> Decimal | str:
    """The size typed into the prompt, or why it is refused."""
    try:
        value = num(text)  # the order form's reading: a comma or separator is refused, not guessed
    except ValueError as exc:
        return str(exc)
    if value <= 0:
        return "a threshold is a size above zero (empty clears it)"
    if value > _MAX_THRESHOLD:
        return "that is larger than any market trades"
    return value


class TapeKeys(TradingScreen):
    settings: Settings
    symbol: str

    BINDINGS = [
        Binding(
            "T",
            "tape_threshold",
            "Tape size",
            show=False,
            tooltip="Highlight prints at or above a size (this symbol)",
            id="tape.threshold",
        ),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tape_overrides: dict[str, Decimal | None] = {}  # set with ``T``; None: cleared

    def tape_threshold(self, symbol: str) -> Decimal | None:
        if symbol in self._tape_overrides:
            return self._tape_overrides[symbol]
        return self.settings.tape.thresholds.get(symbol)

    def paint_tape(self, mk: MarketState) -> None:
        """Hand the tape this symbol's prints, price precision and threshold."""
        decimals = mk.instrument.price_precision if mk.instrument is not None else None
        self.query_one(TradesTape).update_trades(
            list(mk.trades)[-CAPACITY:], decimals, self.tape_threshold(mk.symbol)
        )

    def action_tape_threshold(self) -> None:
        symbol = self.symbol
        current = self.tape_threshold(symbol)

        def check(text: str) -> str | None:
            found = parse_threshold(text)
            return found if isinstance(found, str) else None

        def chosen(text: str | None) -> None:
            if text is None:
                return
            found = parse_threshold(text) if text else None
            if isinstance(found, str):
                return
            self._tape_overrides[symbol] = found
            mk = self.store.markets.get(symbol)
            if mk is not None and symbol == self.symbol:
                self.paint_tape(mk)
            shown = "off" if found is None else f"{format(found, 'f')} and above"
            self.notify(f"{symbol} tape highlight: {shown}", timeout=3)

        self.app.push_screen(
            AskValue(
                f"Tape: highlight {symbol} prints of ≥ N {self._base(symbol)} (empty: off)",
                "" if current is None else format(current, "f"),
                check,
            ),
            chosen,
        )

    def _base(self, symbol: str) -> str:
        mk = self.store.markets.get(symbol)
        return mk.instrument.base if mk is not None and mk.instrument is not None else "base currency"

    @on(TradesTape.BigPrint)
    def _big_print(self, event: TradesTape.BigPrint) -> None:
        if self.settings.tape.bell:
            self.app.bell()
