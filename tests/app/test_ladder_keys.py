"""Trading from the ladder by keys against the embedded exchange: what the exchange's book holds.

Every test drives the app as a user would (Pilot key presses) and asserts on the exchange's own
orders: the cursor buy lands at the cursor's price with the working size, join sits at the best
bid, the cancel takes every own order at the level and nothing else, the moves are amends (the
order id is kept), arming lapses by itself, and a guard that trips stops at the review.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.app.conftest import live_app, order_panel, panel_closed, ready, until
from tui.app import KrakenApp
from tui.exchange.server import RunningExchange
from tui.screens.market import MarketScreen
from tui.screens.order_form import ReviewScreen
from tui.widgets.ladder import BookLadder

PRESETS = {"BTC/USD": ["0.001", "0.002", "0.1", "5"]}


def orders_of(ex: RunningExchange) -> list[Any]:
    return [o for o in ex.engine.open_orders("demo") if o.symbol == "BTC/USD"]


def ladder_of(app: KrakenApp) -> BookLadder:
    screen = app.market_screen
    assert isinstance(screen, MarketScreen)
    return screen.query_one("#book", BookLadder)


def app_with(ex: RunningExchange, **ladder: Any) -> KrakenApp:
    return live_app(ex, book_depth=100, ladder={"presets": PRESETS, **ladder})


async def armed(pilot: Any, app: KrakenApp) -> None:
    await pilot.press("exclamation_mark")
    await until(pilot, lambda: app.desk.armed)


async def test_cursor_buy_at_a_level_with_the_working_size(exchange: RunningExchange) -> None:
    app = app_with(exchange)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        ladder = ladder_of(app)
        await pilot.press("l")
        await until(pilot, lambda: ladder.cursor is not None)
        best_bid = app.store.market("BTC/USD").book.best_bid()  # type: ignore[union-attr]
        assert best_bid is not None and abs(ladder.cursor - best_bid[0]) < 100  # type: ignore[operator]
        await pilot.press("down", "down", "down", "2")
        cursor = ladder.cursor
        assert cursor is not None
        await armed(pilot, app)
        await pilot.press("y")
        await until(pilot, lambda: len(orders_of(exchange)) == 1)
        order = orders_of(exchange)[0]
        assert order.side == "buy" and order.limit_price == cursor and order.qty == 200_000  # 0.002 BTC
        # the ladder shows it in the "mine" column at that price
        await until(pilot, lambda: any(r.mine == 200_000 and r.price == cursor for r in ladder.view.rows))  # type: ignore[union-attr]


async def test_one_key_bracket_sends_one_add_order_with_the_stop_attached(exchange: RunningExchange) -> None:
    """Y: the cursor buy with ``[ladder] bracket_stop`` (20 ticks here) attached as Kraken's
    ``conditional``; unarmed, the same key opens the panel with the stop typed in."""
    app = app_with(exchange, bracket_stop="20t")
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        ladder = ladder_of(app)
        await pilot.press("l", "down", "down", "down", "down", "2")
        cursor = ladder.cursor
        assert cursor is not None
        tick = exchange.engine.pairs["BTC/USD"].price_increment
        stop_text = format(Decimal(cursor - 20 * tick) / 10, "f")
        await pilot.press("Y")  # unarmed: the panel, prefilled
        await until(pilot, lambda: order_panel(app) is not None)
        panel = order_panel(app)
        assert panel is not None
        assert (panel.form_input().stop, panel.form_input().price) == (
            stop_text,
            format(Decimal(cursor) / 10, "f"),
        )
        await pilot.press("escape")
        await until(pilot, lambda: panel_closed(app))
        assert orders_of(exchange) == []
        await armed(pilot, app)
        sent_before = len(exchange.requests_received)
        await pilot.press("Y")
        await until(pilot, lambda: len(orders_of(exchange)) == 1)
        adds = [r for r in exchange.requests_received[sent_before:] if r["method"] == "add_order"]
        assert len(adds) == 1  # one request: entry and stop together
        order = orders_of(exchange)[0]
        assert order.limit_price == cursor and order.qty == 200_000
        assert order.conditional is not None and order.conditional.order_type == "stop-loss"
        assert order.conditional.trigger_price == Decimal(stop_text)


async def test_join_best_bid_and_cancel_at_level(exchange: RunningExchange) -> None:
    app = app_with(exchange)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        ladder = ladder_of(app)
        book = app.store.market("BTC/USD").book
        assert book is not None
        joined: list[int] = []
        submit = app.desk.submit

        def noting(order: Any) -> bool:
            bid = book.best_bid()
            assert bid is not None
            joined.append(bid[0])  # the best bid when the order left
            return submit(order)

        app.desk.submit = noting  # type: ignore[method-assign]
        await armed(pilot, app)
        await pilot.press("J")
        await until(pilot, lambda: len(orders_of(exchange)) == 1)
        assert orders_of(exchange)[0].limit_price == joined[0] and orders_of(exchange)[0].side == "buy"

        # two own orders at one level, one at another: C at the cursor takes the two, not the third
        await pilot.press("l", "down", "down", "down", "down", "down", "down")
        level = ladder.cursor
        assert level is not None and level < joined[0]
        await pilot.press("y", "y")
        await pilot.press("down", "down", "y")
        other = ladder.cursor
        await until(pilot, lambda: len(orders_of(exchange)) == 4)
        await until(pilot, lambda: len([o for o in app.store.account.orders.values() if o.is_open]) == 4)
        ladder.set_cursor(level)
        await pilot.press("C")
        await until(pilot, lambda: len(orders_of(exchange)) == 2)
        assert {o.limit_price for o in orders_of(exchange)} == {other, joined[0]}


async def test_move_to_cursor_and_ten_ticks_are_amends(exchange: RunningExchange) -> None:
    app = app_with(exchange)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        ladder = ladder_of(app)
        await armed(pilot, app)
        await pilot.press("l", "down", "down", "down", "down", "down", "y")
        await until(pilot, lambda: len(orders_of(exchange)) == 1)
        order_id = orders_of(exchange)[0].order_id
        await until(pilot, lambda: order_id in app.store.account.orders)
        await pilot.press("down", "down", "down")
        target = ladder.cursor
        await pilot.press("m")
        await until(pilot, lambda: orders_of(exchange)[0].limit_price == target)
        assert [o.order_id for o in orders_of(exchange)] == [order_id]
        assert exchange.requests_received[-1]["method"] == "amend_order"
        tick = exchange.engine.pairs["BTC/USD"].price_increment
        assert target is not None
        await until(pilot, lambda: app.store.account.orders[order_id].limit_price == Decimal(target) / 10)
        await pilot.press("right_curly_bracket")
        await until(pilot, lambda: orders_of(exchange)[0].limit_price == target + 10 * tick)
        await until(
            pilot, lambda: app.store.account.orders[order_id].limit_price == Decimal(target + 10) / 10
        )
        await pilot.press("left_curly_bracket", "left_curly_bracket")
        await until(pilot, lambda: orders_of(exchange)[0].limit_price == target - 10 * tick)
        # amend to best: the order's side's best price, id still the same
        await until(
            pilot, lambda: app.store.account.orders[order_id].limit_price == Decimal(target - 10) / 10
        )
        sent_before = len(exchange.requests_received)
        book = app.store.market("BTC/USD").book
        assert book is not None
        best = book.best_bid()
        assert best is not None
        await pilot.press("M")
        await until(pilot, lambda: len(exchange.requests_received) > sent_before)
        request = exchange.requests_received[-1]
        assert request["method"] == "amend_order" and request["params"]["order_id"] == order_id
        # at the best bid it may fill at once on the moving demo market: the amend is what is checked
        assert abs(Decimal(str(request["params"]["limit_price"])) * 10 - best[0]) <= 50
        assert [o.order_id for o in orders_of(exchange)] in ([order_id], [])


async def test_unarmed_keys_open_the_form_and_arming_lapses(exchange: RunningExchange) -> None:
    app = app_with(exchange, arm_idle_s=1.0)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        ladder = ladder_of(app)
        await pilot.press("l", "down", "2", "y")
        await until(pilot, lambda: order_panel(app) is not None)
        form = order_panel(app)
        assert form is not None
        cursor = ladder.cursor
        assert cursor is not None
        fi = form.form_input()
        assert (fi.side, fi.qty, fi.qty_unit, fi.price) == (
            "buy",
            "0.002",
            "base",
            format(Decimal(cursor) / 10, "f"),
        )
        await pilot.press("escape")
        await until(pilot, lambda: panel_closed(app))
        assert orders_of(exchange) == []

        await armed(pilot, app)
        screen = app.market_screen
        assert screen is not None
        await until(pilot, lambda: "ARMED" in str(screen.query_one("#banner").render()))
        await pilot.pause(1.3)  # idle past arm_idle_s: it disarms itself
        await until(pilot, lambda: not app.desk.arming.armed)
        await until(pilot, lambda: "ARMED" not in str(screen.query_one("#banner").render()))
        await pilot.press("y")
        await until(pilot, lambda: order_panel(app) is not None)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert orders_of(exchange) == []
        assert any("disarmed (idle)" in e.text for e in app.store.activity)


async def test_one_key_order_over_a_guard_lands_in_the_review(exchange: RunningExchange) -> None:
    # 0.1 BTC is ~9,700 USD: above max_notional 5,000 (tests' settings), so the typed confirmation
    app = app_with(exchange)
    async with app.run_test(size=(160, 45)) as pilot:
        await ready(pilot, app)
        await armed(pilot, app)
        await pilot.press("l", "down", "down", "down", "3", "y")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.review.needs_typed_confirmation
        assert any("notional" in r for r in review.review.confirm_reasons)
        await pilot.pause(0.3)
        assert orders_of(exchange) == []  # nothing sent while the review waits
        await pilot.press(*"BUY", "enter")
        await until(pilot, lambda: len(orders_of(exchange)) == 1)
        assert orders_of(exchange)[0].qty == 10_000_000
        await pilot.pause(0.3)
        assert len(orders_of(exchange)) == 1  # sent once

        # 5 BTC needs more USD than the account holds: refused here, the form shows why
        await pilot.press("4", "y")
        await until(pilot, lambda: order_panel(app) is not None)
        form = order_panel(app)
        assert form is not None
        await until(pilot, lambda: "Insufficient funds" in str(form.query_one("#qty-error").render()))
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert len(orders_of(exchange)) == 1


def test_curly_brackets_seek_in_replay_and_amend_elsewhere() -> None:
    from typing import cast

    from tui.config import Settings
    from tui.desk import Desk
    from tui.feed.replay_control import ReplayControl
    from tui.store import Store

    merged = MarketScreen._merge_bindings().key_to_bindings
    for key, amend in (
        ("right_curly_bracket", "ladder_amend_ticks(10)"),
        ("left_curly_bracket", "ladder_amend_ticks(-10)"),
    ):
        actions = [b.action for b in merged[key]]
        assert actions[0].startswith("replay_seek(") and actions[1] == amend  # both on the key, seek first
    store, settings = Store(), Settings(log_file=None)
    desk = Desk(store, settings, lambda *a, **k: None, can_trade=True)
    screen = MarketScreen(store, desk, settings)
    assert screen.check_action("ladder_amend_ticks", (10,)) and not screen.check_action("replay_seek", (60,))
    desk.replay = cast(ReplayControl, object())  # REPLAY: the player's keys, orders read-only
    assert screen.check_action("replay_seek", (60,)) and not screen.check_action("ladder_amend_ticks", (10,))
    assert not screen.check_action("ladder_order", ("buy",)) and not screen.check_action("ladder_arm", ())
