"""Trading from the ladder: the price cursor, working sizes, arming and the one-key actions.

A mixin of the market screen (as ``ReplayKeys`` is). Every action builds the same order (or
amend) the form would and runs it through the same guards via the desk; armed, it sends at
once unless a guard asks for the typed confirmation (then the review opens); unarmed, it opens
the form or the review prefilled, so nothing leaves on a single key by accident.

| key | action |
|---|---|
| `l` | focus the ladder (↑/↓ or `j`/`k`, PgUp/PgDn move the cursor, `c` centres) |
| `#` | level ladder / fixed price grid |
| `1`-`5` | working size from the presets |
| `!` | arm / disarm one-key orders (typed confirmation in LIVE; lapses when idle) |
| `y` / `u` | buy / sell a limit at the cursor, working size |
| `J` / `K` | join the best bid / best ask (capitals: `j`/`k` move the cursor, as in lists) |
| `C` | cancel every own order at the cursor's price |
| `m` | move the selected order to the cursor (an amend: the order id is kept) |
| `{` / `}` | the selected order 10 ticks down / up (REPLAY: seek ±1 min) |
| `M` | the selected order to the best price on its side |
"""

from __future__ import annotations

import time
from decimal import Decimal
from functools import partial

from textual.binding import Binding

from tui.kraken.instrument import Instrument
from tui.kraken.requests import OrderParams
from tui.orders import FormInput, Review, Reviewed
from tui.orders.amend import Amend
from tui.orders.presets import WorkingSize, presets_for
from tui.screens.book_view import bucket, build_grid, build_ladder, grid_anchor
from tui.screens.confirm import AskValue, Confirm
from tui.screens.order_form import ReviewScreen
from tui.screens.replay_keys import ReplayKeys
from tui.screens.trading import TradingScreen
from tui.store import OrderView
from tui.widgets.ladder import BookLadder, LadderView

__all__ = ["LadderKeys"]

# `{`/`}` keep their REPLAY meaning (seek): both bindings sit on the key, check_action picks one.
_SEEK = [
    b
    for b in ReplayKeys.BINDINGS
    if isinstance(b, Binding) and b.key in ("left_curly_bracket", "right_curly_bracket")
]
_TRADING = frozenset(
    {
        "ladder_order",
        "ladder_join",
        "ladder_cancel_level",
        "ladder_move",
        "ladder_amend_ticks",
        "ladder_to_best",
        "ladder_arm",
    }
)


class LadderKeys(TradingScreen):
    group: int
    l3_view: bool

    BINDINGS = [
        Binding("l", "ladder_focus", "Ladder", tooltip="Price cursor on the book ladder", id="ladder.focus"),
        Binding(
            "number_sign",
            "ladder_grid",
            "Grid",
            show=False,
            tooltip="Level ladder / price grid",
            id="ladder.grid",
        ),
        *(
            Binding(str(i), f"ladder_size({i - 1})", f"Size {i}", show=False, id=f"ladder.size-{i}")
            for i in range(1, 6)
        ),
        Binding(
            "exclamation_mark", "ladder_arm", "Arm", tooltip="Arm/disarm one-key orders", id="ladder.arm"
        ),
        Binding("y", "ladder_order('buy')", "Buy@", tooltip="Buy at the cursor", id="ladder.buy"),
        Binding("u", "ladder_order('sell')", "Sell@", tooltip="Sell at the cursor", id="ladder.sell"),
        Binding(
            "Y",
            "ladder_bracket('buy')",
            "Buy@+stop",
            show=False,
            tooltip="Buy at the cursor with the configured stop attached (one add_order, OTO)",
            id="ladder.buy-bracket",
        ),
        Binding(
            "U",
            "ladder_bracket('sell')",
            "Sell@+stop",
            show=False,
            tooltip="Sell at the cursor with the configured stop attached (one add_order, OTO)",
            id="ladder.sell-bracket",
        ),
        Binding("J", "ladder_join('buy')", "Join bid", show=False, id="ladder.join-bid"),
        Binding("K", "ladder_join('sell')", "Join ask", show=False, id="ladder.join-ask"),
        Binding("C", "ladder_cancel_level", "Cancel@", show=False, id="ladder.cancel-level"),
        Binding("m", "ladder_move", "Move@", show=False, id="ladder.move"),
        Binding("M", "ladder_to_best", "To best", show=False, id="ladder.to-best"),
        *_SEEK,
        Binding("left_curly_bracket", "ladder_amend_ticks(-10)", "-10t", show=False, id="ladder.down-10"),
        Binding("right_curly_bracket", "ladder_amend_ticks(10)", "+10t", show=False, id="ladder.up-10"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._grid: bool | None = None  # `g` flipped it; None: as [ladder] mode says
        self._sizes: dict[str, int] = {}  # symbol -> preset index
        self._anchor: int | None = None
        self._grid_key: tuple[str, int] | None = None
        self._armed_shown: object = None

    @property
    def ladder_grid(self) -> bool:
        return self._grid if self._grid is not None else self.settings.ladder.mode == "grid"

    def on_mount(self) -> None:
        self.set_interval(0.25, self._ladder_tick)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _TRADING:
            return self.desk.replay is None  # REPLAY: orders are read-only; `{`/`}` seek there
        return super().check_action(action, parameters)

    # --- what other panels read --------------------------------------------------------------------
    def cursor_price(self) -> Decimal | None:
        """The cursor's price on the shown symbol (None: no cursor)."""
        ladder = self.query_one("#book", BookLadder)
        inst = self.store.market(self.symbol).instrument
        return inst.price_decimal(ladder.cursor) if ladder.cursor is not None and inst is not None else None

    def working_size(self) -> WorkingSize | None:
        inst = self.store.market(self.symbol).instrument
        if inst is None:
            return None
        sizes = presets_for(self.settings.ladder.presets, inst)
        return sizes[min(self._sizes.get(self.symbol, 0), len(sizes) - 1)]

    # --- painting hooks (called by the market screen) ----------------------------------------------
    def ladder_view(self) -> LadderView | None:
        """The level ladder, or the fixed grid around its anchor (re-anchored when the mid has
        moved half the grid away; the level 3 view is always the level ladder)."""
        sym, store = self.symbol, self.store
        if not self.ladder_grid or self.l3_view:
            return build_ladder(store, sym, self.group, self.l3_view)
        fresh = grid_anchor(store, sym, self.group)
        if fresh is None:
            return build_ladder(store, sym, self.group, False)
        step, span, reach = self._grid_geometry()
        ladder = self.query_one("#book", BookLadder)
        cursor = ladder.cursor if self._grid_key == (sym, self.group) else None
        if (
            self._grid_key != (sym, self.group)
            or self._anchor is None
            or abs(fresh - self._anchor) > span * step // 2
            or (cursor is not None and abs(cursor - self._anchor) > reach)
        ):
            # on the mid, unless that would leave the cursor near or past an edge: then as close
            # to the mid as keeps the cursor inside (a ↓ at the grid's last row moves the grid)
            anchor = fresh  # `c` and `#` (no anchor yet) start on the mid
            if cursor is not None and self._anchor is not None:
                anchor = min(max(fresh, cursor - reach), cursor + reach)
            anchor = bucket(anchor, step, True)
            if anchor != self._anchor or self._grid_key != (sym, self.group):
                if cursor is None:  # nobody is looking at a price: the spread to the middle
                    ladder._centered = False
                self._anchor, self._grid_key = anchor, (sym, self.group)
        return build_grid(store, sym, self.group, self._anchor, span)

    def _grid_geometry(self) -> tuple[int, int, int]:
        """The grid's step (ticks), its rows each side of the anchor, and how far from the anchor
        the cursor may stand before the grid moves under it (ten rows short of an edge)."""
        inst = self.store.market(self.symbol).instrument
        step = self.group * (inst.price_increment if inst is not None else 1)
        span = self.settings.ladder.grid_span
        return step, span, (span - min(10, span // 4)) * step

    def on_book_ladder_cursor_moved(self, event: BookLadder.CursorMoved) -> None:
        """A cursor near the grid's edge moves the grid now, not at the next tick: the row under
        the cursor is drawn at once."""
        if not self.ladder_grid or self._anchor is None or event.price is None:
            return
        if abs(event.price - self._anchor) > self._grid_geometry()[2]:
            self.refresh_from_store(force=True)  # type: ignore[attr-defined]

    def ladder_painted(self, ladder: BookLadder) -> None:
        if self.settings.ladder.auto_center and not ladder.spread_in_sight():
            ladder.center(cursor=False)
        ladder.set_info(self._info_text())

    def arm_banner(self) -> str:
        left = self.desk.arming.remaining()
        return f"⚡ ARMED {left:.0f}s  " if left is not None else ""

    def ladder_center(self) -> None:
        """`c`: the spread (and the cursor) back in the middle; the grid re-anchored on the mid."""
        self._anchor = None
        self.refresh_from_store(force=True)  # type: ignore[attr-defined]
        ladder = self.query_one("#book", BookLadder)
        ladder.center()

    def _info_text(self) -> str:
        ws = self.working_size()
        n = self._sizes.get(self.symbol, 0) + 1
        size = f"size {ws.label} [{n}]" if ws is not None else "size unknown"
        rate = self.desk.rate_reading(self.symbol).text()
        armed = "  ARMED" if self.desk.arming.armed else ""
        return f"{size}   {rate}{armed}"

    def _ladder_tick(self) -> None:
        armed = self.desk.armed  # an idle arming lapses here
        shown = (armed, int(self.desk.arming.remaining() or 0))
        if shown != self._armed_shown:
            self._armed_shown = shown
            self._paint_banner(self.store.markets.get(self.symbol))  # type: ignore[attr-defined]
        self.query_one("#book", BookLadder).set_info(self._info_text())

    # --- the cursor and the sizes ------------------------------------------------------------------
    def action_ladder_focus(self) -> None:
        ladder = self.query_one("#book", BookLadder)
        self.set_focus(ladder)
        if ladder.cursor is None:
            ladder.move_cursor(0)

    def action_ladder_grid(self) -> None:
        self._grid = not self.ladder_grid
        self._anchor = None
        ladder = self.query_one("#book", BookLadder)
        ladder._centered = False
        self.refresh_from_store(force=True)  # type: ignore[attr-defined]
        self.notify("Ladder: price grid" if self.ladder_grid else "Ladder: price levels", timeout=2)

    def action_ladder_size(self, index: int) -> None:
        inst = self.store.market(self.symbol).instrument
        if inst is None:
            return
        sizes = presets_for(self.settings.ladder.presets, inst)
        if index >= len(sizes):
            self.notify(f"No preset {index + 1} for {self.symbol} ({len(sizes)} set).", severity="warning")
            return
        self._sizes[self.symbol] = index
        self.query_one("#book", BookLadder).set_info(self._info_text())

    # --- arming ------------------------------------------------------------------------------------
    def action_ladder_arm(self) -> None:
        if self.desk.armed:
            self.desk.disarm()
        elif self.store.mode == "LIVE":
            self.run_worker(self._arm_live(), group="arm")
            return
        else:
            self.desk.arm()
        self._ladder_tick()

    async def _arm_live(self) -> None:
        ask = AskValue(
            "LIVE: arm one-key orders? They send real orders at once (guards still run). Type ARM:",
            "",
            lambda text: None if text == "ARM" else "type ARM in capitals, or Esc",
        )
        if await self.app.push_screen(ask, wait_for_dismiss=True) == "ARM":
            self.desk.arm(live_confirmed=True)
        self._ladder_tick()

    # --- orders at a price -------------------------------------------------------------------------
    def _ready(self) -> Instrument | None:
        if not self.desk.can_trade:
            self.notify(
                "Trading needs API credentials (KRAKEN_API_KEY/SECRET) or --demo/--paper.", severity="warning"
            )
            return None
        mk = self.store.market(self.symbol)
        if mk.instrument is None or mk.book is None:
            self.notify("Waiting for the book and instrument data…", severity="warning")
            return None
        return mk.instrument

    def action_ladder_order(self, side: str) -> None:
        cursor = self.query_one("#book", BookLadder).cursor
        if cursor is None:
            self.notify("No cursor: press l, then ↑/↓ to a price.", severity="warning")
            return
        self.order_at(side, cursor)

    def action_ladder_bracket(self, side: str) -> None:
        """The cursor order with ``[ladder] bracket_stop`` attached: below the entry for a buy,
        above it for a sell, placed by the exchange as each part of the entry fills."""
        cursor = self.query_one("#book", BookLadder).cursor
        if cursor is None:
            self.notify("No cursor: press l, then ↑/↓ to a price.", severity="warning")
            return
        inst = self._ready()
        if inst is None:
            return
        distance = self.settings.ladder.bracket_stop
        if distance.endswith("t"):
            offset = int(distance[:-1]) * inst.price_increment
        else:  # a percentage of the entry, rounded away from it to the tick
            exact = inst.price_decimal(cursor) * Decimal(distance[:-1]) / 100
            offset = inst.round_price(exact, up=True)
        stop = cursor - offset if side == "buy" else cursor + offset
        if offset <= 0 or stop <= 0:
            self.notify(
                f"[ladder] bracket_stop {distance}: no stop price for this entry.", severity="warning"
            )
            return
        self.order_at(side, cursor, stop=format(inst.price_decimal(stop), "f"))

    def action_ladder_join(self, side: str) -> None:
        book = self.store.market(self.symbol).book
        best = (book.best_bid() if side == "buy" else book.best_ask()) if book is not None else None
        if best is None:
            self.notify(f"No best {'bid' if side == 'buy' else 'ask'} to join.", severity="warning")
            return
        self.order_at(side, best[0])

    def order_at(self, side: str, price_ticks: int, stop: str = "") -> None:
        """A limit at ``price_ticks`` for the working size (``stop``: an attached stop-loss, as
        the form's Stop field takes it): sent when armed and every guard passes, the review when
        a guard asks for the typed confirmation, the form otherwise."""
        pressed = time.perf_counter()
        inst = self._ready()
        ws = self.working_size()
        if inst is None or ws is None:
            return
        qty, unit = ws.form_fields(inst)
        price = format(inst.price_decimal(price_ticks), "f")
        if not self.desk.armed:
            self._form(side, price, qty, unit, show_errors=False, stop=stop)
            return
        self.desk.arming.touch()
        form = FormInput(side=side, order_type="limit", qty=qty, qty_unit=unit, price=price, stop=stop)
        draft = self.desk.draft(form, self.symbol, one_key=True)
        if draft is None:
            return
        if not draft.ok:
            reasons = "; ".join(draft.errors.values())
            self.desk.refuse(f"{side} {ws.label} {self.symbol} @ {price}", reasons)
            self._form(side, price, qty, unit, show_errors=True, stop=stop)
            return
        assert draft.params is not None and draft.review is not None
        if draft.review.needs_typed_confirmation:
            self.run_worker(self._review_flow(draft.params, draft.review), group="form")
            return
        self.desk.submit(Reviewed(draft.params, draft.review, pressed))

    def _form(self, side: str, price: str, qty: str, unit: str, *, show_errors: bool, stop: str = "") -> None:
        """Unarmed (or refused): the docked order panel, prefilled with the cursor's price and the
        working size; the same form and guards as ``b``/``s``."""
        panel = self.open_order_panel(side, Decimal(price))
        if panel is not None:
            panel.prefill(qty, unit, show_errors, stop)

    async def _review_flow(self, params: OrderParams, review: Review) -> None:
        await self.app.push_screen(ReviewScreen(params, review, self.store.mode, send=self.desk.submit))

    # --- cancel at a level ---------------------------------------------------------------------------
    def _own_at(self, price_ticks: int) -> list[OrderView]:
        inst = self.store.market(self.symbol).instrument
        if inst is None:
            return []
        step = self.group * inst.price_increment
        return [
            o
            for o in self.store.account.orders.values()
            if o.symbol == self.symbol
            and o.is_open
            and o.limit_price is not None
            and bucket(inst.price_ticks(o.limit_price), step, o.side == "buy") == price_ticks
        ]

    def action_ladder_cancel_level(self) -> None:
        ladder = self.query_one("#book", BookLadder)
        price = self.cursor_price()
        if ladder.cursor is None or price is None:
            self.notify("No cursor: press l, then ↑/↓ to a price.", severity="warning")
            return
        ids = [o.order_id for o in self._own_at(ladder.cursor)]
        if not ids:
            self.notify(f"No own order at {format(price, 'f')}.", severity="warning")
            return
        if self.desk.armed:
            self.desk.arming.touch()
            self.desk.cancel(ids)
            return

        def done(choice: str | None) -> None:
            if choice == "yes":
                self.desk.cancel(ids)

        n = len(ids)
        self.app.push_screen(
            Confirm(
                f"Cancel {n} order{'s' if n > 1 else ''} at {format(price, 'f')}?", {"y": ("yes", "Yes")}
            ),
            done,
        )

    # --- amends of the selected order --------------------------------------------------------------
    def _amend_target(self) -> OrderView | None:
        """The selected order (Orders panel) when it is on this symbol, else the symbol's only open
        order: a key on this ladder never moves an order of another symbol to this one's prices."""
        orders = self.store.account.orders
        ids = self._selected_orders()
        if ids and ids[0] in orders and orders[ids[0]].symbol == self.symbol:
            return orders[ids[0]]
        mine = [
            o for o in orders.values() if o.symbol == self.symbol and o.is_open and o.limit_price is not None
        ]
        if len(mine) == 1:
            return mine[0]
        self.notify(
            "Select an order first (o, then ↑/↓)." if mine else f"No open order on {self.symbol}.",
            severity="warning",
        )
        return None

    def action_ladder_move(self) -> None:
        cursor = self.query_one("#book", BookLadder).cursor
        if cursor is None:
            self.notify("No cursor: press l, then ↑/↓ to a price.", severity="warning")
            return
        o = self._amend_target()
        if o is not None:
            self.amend_to(o, cursor)

    def action_ladder_amend_ticks(self, ticks: int) -> None:
        o = self._amend_target()
        inst = self.store.instruments.get(o.symbol) if o is not None else None
        if o is None or inst is None or o.limit_price is None:
            return
        self.amend_to(o, inst.price_ticks(o.limit_price) + ticks * inst.price_increment)

    def action_ladder_to_best(self) -> None:
        o = self._amend_target()
        book = self.store.market(o.symbol).book if o is not None else None
        if o is None or book is None:
            return
        best = book.best_bid() if o.side == "buy" else book.best_ask()
        if best is None:
            self.notify("No best price on that side.", severity="warning")
            return
        self.amend_to(o, best[0])

    def amend_to(self, order: OrderView, price_ticks: int) -> None:
        """Armed: sent (the review first when a guard asks); unarmed: the amend's review."""
        inst = self.store.instruments.get(order.symbol)
        if inst is None:
            return
        armed = self.desk.armed
        amend = self.desk.check_amend(order.order_id, price=inst.price_decimal(price_ticks), one_key=armed)
        if amend is None:
            return
        if armed:
            self.desk.arming.touch()
            self._send_amend(amend)
        else:
            self.run_worker(self._amend_review(amend), group="amend")

    async def _amend_review(self, amend: Amend) -> None:
        draft = amend.draft
        if not amend.ok or draft.params is None or draft.review is None:
            self.desk.amend(amend)  # refused, with its reason
            return
        send = partial(self.desk.amend, amend)  # on the confirming key, ahead of the close's repaint
        await self.app.push_screen(
            ReviewScreen(draft.params, draft.review, self.store.mode, amend=amend.label, send=send)
        )
