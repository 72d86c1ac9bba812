"""Futures position keys: flatten, reverse, close half, stop to breakeven.

A mixin of the market screen (as the replay keys are), active when the shown symbol is a
futures contract or a futures row is selected in the Positions panel. Each key builds an
ordinary order (or an amend of the position's stop) and runs it through the same guards as the
order panel; the result is always shown in the review first, and only the review's answer is
handed to the desk: nothing is sent by the key itself.

| key | what is sent after the review |
|---|---|
| `F` | flatten: a reduce-only market order for the whole position |
| `V` | reverse: a market order for twice the position, the other way |
| `H` | close half: a reduce-only market order for half (cut to the lot) |
| `E` | stop to breakeven: each open stop of the position amended to the entry price (a new reduce-only stop at the entry when there is none) |
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from functools import partial

from textual.binding import Binding

from tui.kraken.futures import is_futures
from tui.orders import Draft, FormInput
from tui.orders.amend import Amend
from tui.orders.context import order_context
from tui.screens.review import ReviewScreen
from tui.screens.trading import TradingScreen
from tui.store import OrderView, Position
from tui.widgets.account import PositionsTable

__all__ = ["PositionKeys"]

_ACTIONS = frozenset({"position_flatten", "position_reverse", "position_half", "position_breakeven"})
_STOPS = ("stop-loss", "stop-loss-limit")


class PositionKeys(TradingScreen):
    BINDINGS = [
        Binding(
            "F",
            "position_flatten",
            "Flatten",
            tooltip="Close the futures position: reduce-only market (reviewed)",
            id="position.flatten",
        ),
        Binding(
            "V",
            "position_reverse",
            "Reverse",
            show=False,
            tooltip="Reverse the futures position: market for twice its size (reviewed)",
            id="position.reverse",
        ),
        Binding(
            "H",
            "position_half",
            "Close ½",
            show=False,
            tooltip="Close half the futures position: reduce-only market (reviewed)",
            id="position.close-half",
        ),
        Binding(
            "E",
            "position_breakeven",
            "Stop→BE",
            show=False,
            tooltip="Move the position's stop to its entry price (reviewed)",
            id="position.breakeven",
        ),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _ACTIONS:
            return self._position_symbol() is not None
        return super().check_action(action, parameters)

    # --- which position --------------------------------------------------------------------------
    def _position_symbol(self) -> str | None:
        """The futures row selected in the Positions panel when it has focus, else the shown
        symbol when it is a futures contract; None: these keys do nothing here."""
        focused = self.focused
        if isinstance(focused, PositionsTable):
            key = focused.selected_key
            if key is not None and is_futures(key):
                return key
        return self.symbol if is_futures(self.symbol) else None

    def selected_position(self) -> Position | None:
        symbol = self._position_symbol()
        pos = self.store.account.positions.get(symbol) if symbol is not None else None
        if pos is None or pos.size == 0:
            self.notify(f"No open {symbol or 'futures'} position.", severity="warning")
            return None
        return pos

    # --- the keys ---------------------------------------------------------------------------------
    def action_position_flatten(self) -> None:
        if (pos := self.selected_position()) is not None:
            size = abs(pos.size)
            self._market(pos, size, True, f"Flatten: close the {pos.side} {size} {pos.symbol}")

    def action_position_reverse(self) -> None:
        if (pos := self.selected_position()) is not None:
            size = abs(pos.size)
            other = "short" if pos.size > 0 else "long"
            title = f"Reverse: {pos.side} {size} → {other} {size} {pos.symbol}"
            self._market(pos, 2 * size, False, title)

    def action_position_half(self) -> None:
        pos = self.selected_position()
        ctx = order_context(self.store, pos.symbol) if pos is not None else None
        if pos is None or ctx is None:
            return
        step = Decimal(1).scaleb(-ctx.inst.qty_precision)
        half = ctx.inst.qty_decimal(ctx.inst.round_qty((abs(pos.size) / 2).quantize(step, ROUND_DOWN)))
        if half <= 0:
            self.desk.refuse(f"close half {pos.symbol}", f"half of {abs(pos.size)} is under one lot")
            return
        self._market(pos, half, True, f"Close half: {half} of the {pos.side} {abs(pos.size)} {pos.symbol}")

    def action_position_breakeven(self) -> None:
        pos = self.selected_position()
        ctx = order_context(self.store, pos.symbol) if pos is not None else None
        if pos is None or ctx is None:
            return
        long = pos.size > 0
        label = f"stop to breakeven {pos.symbol}"
        # a long's sell stop at the entry rounded up, a short's buy stop rounded down: never worse
        be = ctx.inst.price_decimal(ctx.inst.round_price(pos.entry_price, up=long))
        mark = pos.mark_price
        if mark is None:
            self.desk.refuse(label, "the mark price is unknown: the stop could fire at once")
            return
        if (be >= mark) if long else (be <= mark):
            where = "above" if long else "below"
            self.desk.refuse(label, f"breakeven {be} is {where} the mark {mark}: the stop would fire at once")
            return
        stops = [
            o
            for o in self.store.account.orders.values()
            if o.symbol == pos.symbol and o.is_open and o.order_type in _STOPS and (o.side == "sell") == long
        ]
        if not stops:
            form = FormInput(
                side="sell" if long else "buy",
                order_type="stop-loss",
                qty=format(abs(pos.size), "f"),
                trigger=format(be, "f"),
                reduce_only=True,
            )
            title = f"Stop to breakeven: no stop yet, a reduce-only stop at the entry {be}"
            self._review_new(self.desk.draft(form, pos.symbol), title, label)
            return
        self.run_worker(self._amend_stops(stops, be), group="position")

    # --- through the guards and the review -------------------------------------------------------
    def _market(self, pos: Position, qty: Decimal, reduce_only: bool, title: str) -> None:
        form = FormInput(
            side="sell" if pos.size > 0 else "buy",
            order_type="market",
            qty=format(qty, "f"),
            reduce_only=reduce_only,
        )
        self._review_new(self.desk.draft(form, pos.symbol), title, title.split(":")[0].lower())

    def _review_new(self, draft: Draft | None, title: str, label: str) -> None:
        if draft is None:
            return
        if not draft.ok:
            self.desk.refuse(label, "; ".join(draft.errors.values()))
            return
        assert draft.params is not None and draft.review is not None
        # the confirmed order goes to the desk on the confirming key, ahead of the close's repaint
        self.app.push_screen(
            ReviewScreen(draft.params, draft.review, self.store.mode, title=title, send=self.desk.place)
        )

    async def _amend_stops(self, stops: list[OrderView], be: Decimal) -> None:
        """Each stop's move is judged and reviewed on its own; Esc on one skips it."""
        for o in stops:
            amend: Amend | None = self.desk.check_amend(o.order_id, trigger=be)
            if amend is None:
                continue
            if not amend.ok:
                self.desk.amend(amend)  # refused, with its reason
                continue
            draft = amend.draft
            assert draft.params is not None and draft.review is not None
            title = f"Stop to breakeven: {o.order_id} from {o.trigger_price} to the entry {be}"
            send = partial(self.desk.amend, amend)
            review = ReviewScreen(
                draft.params, draft.review, self.store.mode, amend=amend.label, title=title, send=send
            )
            await self.app.push_screen(review, wait_for_dismiss=True)  # one stop at a time
