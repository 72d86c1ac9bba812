"""Issue 12, "every order path is guarded": keys a trader presses, what the exchange receives.

Each test presses the keys of the report (a resting order raised far past the notional limit,
a marketable limit the account cannot carry, numbers typed with commas, a lower-case
confirmation, a dialog's answer leaking to the screen behind) and checks both the screen and
what reached the embedded exchange.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.app.conftest import fill_form, live_app, order_panel, panel_closed, ready, until
from tui.exchange.server import RunningExchange
from tui.screens.confirm import AskValue, Confirm
from tui.screens.help import HelpScreen
from tui.screens.market import MarketScreen
from tui.screens.order_form import ReviewScreen
from tui.screens.search import SymbolSearch
from tui.widgets.account import OrdersTable


def methods(ex: RunningExchange) -> list[str]:
    return [r.get("method", "") for r in ex.requests_received]


def open_orders(ex: RunningExchange) -> list[Any]:
    return ex.engine.open_orders("demo")


async def place(pilot: Any, app: Any, ex: RunningExchange, qty: str, price: str) -> Any:
    """A resting buy through the form and the review (no confirmation needed)."""
    before = {o.order_id for o in open_orders(ex)}
    await fill_form(pilot, "buy", qty, price)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
    await pilot.press("enter")
    await until(pilot, lambda: bool({o.order_id for o in open_orders(ex)} - before))
    order = next(o for o in open_orders(ex) if o.order_id not in before)
    screen = app.market_screen
    await until(pilot, lambda: order.order_id in screen.query_one(OrdersTable)._values)
    await until(pilot, lambda: order.order_id in app.store.account.orders)
    return order


def live(ex: RunningExchange, order_id: str) -> Any:
    """The exchange's own record of the order, read afresh."""
    o = ex.engine.order(order_id)
    assert o is not None
    return o


def error_of(screen: Any, field: str) -> str:
    label = screen.query_one(f"#{field}-error")
    return str(label.render()) if label.has_class("-shown") else ""


# --- 7. amends run the guards ---------------------------------------------------------------------
async def test_amend_qty_above_the_notional_limit_needs_the_review(exchange: RunningExchange) -> None:
    app = live_app(exchange, guards={"max_notional": 25000, "max_distance_pct": 5})
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        order = await place(pilot, app, exchange, "0.02", "-1%")
        sent = len(exchange.requests_received)
        # `a`, 1 BTC (about 96,000 USD against a 25,000 limit): the review, not an ack
        await pilot.press("o", "a")
        await until(pilot, lambda: isinstance(app.screen, AskValue))
        await pilot.press("ctrl+u", "1", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.amend is not None
        assert any("above your limit of 25,000" in r for r in review.review.confirm_reasons)
        assert review.review.qty == Decimal(1)
        await pilot.pause(0.2)
        assert len(exchange.requests_received) == sent  # nothing left the app yet
        assert live(exchange, order.order_id).qty == 2_000_000
        await pilot.press(*"BUY", "enter")
        await until(pilot, lambda: live(exchange, order.order_id).qty == 100_000_000)
        assert methods(exchange)[-1] == "amend_order"


async def test_amend_qty_that_fails_a_check_is_refused_in_the_prompt(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        order = await place(pilot, app, exchange, "0.001", "-1%")
        sent = len(exchange.requests_received)
        await pilot.press("o", "a")
        await until(pilot, lambda: isinstance(app.screen, AskValue))
        for typed, message in (
            ("0.00001", "Order minimum not met"),
            ("5", "Insufficient funds"),  # 5 BTC at ~96,000: far beyond 100,000 USD
            ("1,5", "use a point for decimals"),
        ):
            await pilot.press("ctrl+u", *typed, "enter")
            await pilot.pause(0.1)
            assert isinstance(app.screen, AskValue), typed
            assert message in error_of(app.screen, "ask"), (typed, error_of(app.screen, "ask"))
        assert len(exchange.requests_received) == sent
        assert live(exchange, order.order_id).qty == 100_000


async def test_price_nudge_past_the_distance_limit_needs_the_review(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        order = await place(pilot, app, exchange, "0.001", "-1%")
        price = order.limit_price
        app.settings.guards.max_distance_pct = Decimal("0.5")  # the order now sits past the limit
        sent = len(exchange.requests_received)
        await pilot.press("o", "right_square_bracket")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert any("from mid (limit ±0.5%)" in r for r in review.review.confirm_reasons)
        await pilot.press("escape")  # backing out sends nothing
        await until(pilot, lambda: panel_closed(app))
        await pilot.pause(0.2)
        assert len(exchange.requests_received) == sent
        assert live(exchange, order.order_id).limit_price == price
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press(*"BUY", "enter")
        tick = exchange.engine.pairs["BTC/USD"].price_increment
        await until(pilot, lambda: live(exchange, order.order_id).limit_price == price + tick)


async def test_the_desk_refuses_an_unreviewed_amend_above_a_limit(exchange: RunningExchange) -> None:
    app = live_app(exchange, guards={"max_notional": 25000, "max_distance_pct": 5})
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        order = await place(pilot, app, exchange, "0.02", "-1%")
        sent = len(exchange.requests_received)
        amend = app.desk.check_amend(order.order_id, qty=Decimal(1))
        assert amend is not None and amend.ok and amend.needs_confirmation
        assert not app.desk.amend(amend)
        bad = app.desk.check_amend(order.order_id, qty=Decimal("0.00001"))
        assert bad is not None and not bad.ok
        assert not app.desk.amend(bad)
        await pilot.pause(0.2)
        assert len(exchange.requests_received) == sent
        refusals = [e.text for e in app.store.activity if "refused locally" in e.text]
        assert len(refusals) == 2, refusals


# --- 8. funds of a marketable limit at its limit price -------------------------------------------
async def test_marketable_limit_funds_are_checked_at_the_limit_price(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        sent = len(exchange.requests_received)
        # 0.011 BTC at 9,600,000 holds 105,600 USD (plus fee) on the exchange; 100,000 are there
        await fill_form(pilot, "buy", "0.011", "9600000")
        await pilot.press("enter")
        await pilot.pause(0.2)
        form = order_panel(app)
        assert form is not None
        assert "Insufficient funds" in error_of(form, "qty"), error_of(form, "qty")
        assert len(exchange.requests_received) == sent


# --- 9. numbers typed by people -------------------------------------------------------------------
async def test_commas_in_numbers_are_refused_not_guessed(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        sent = len(exchange.requests_received)
        await fill_form(pilot, "buy", "1,5", "97,000.5")
        await pilot.press("enter")
        await pilot.pause(0.2)
        form = order_panel(app)
        assert form is not None
        assert "use a point for decimals" in error_of(form, "qty")
        assert "use a point for decimals" in error_of(form, "price")
        assert len(exchange.requests_received) == sent


# --- 10. typed confirmation, exact ----------------------------------------------------------------
async def test_typed_confirmation_is_case_sensitive(exchange: RunningExchange) -> None:
    app = live_app(exchange)  # max_notional 5000: 0.06 BTC (~5,800 USD) must be confirmed
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        sent = len(exchange.requests_received)
        await fill_form(pilot, "buy", "0.06", "-1%")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.review.needs_typed_confirmation
        await pilot.press(*"buy", "enter")
        await pilot.pause(0.2)
        assert app.screen is review and len(exchange.requests_received) == sent
        error = review.query_one("#review-error")
        assert error.has_class("-shown") and "type BUY in capitals" in str(error.render())
        # the message sits right under the field it is about
        box = review.query_one("#review-box")
        ids = [w.id for w in box.children]
        assert ids.index("review-error") == ids.index("confirm-input") + 1
        await pilot.press("ctrl+u", *"BUY", "enter")
        await until(pilot, lambda: "add_order" in methods(exchange)[sent:])


# --- 11. dialogs own their keys -------------------------------------------------------------------
async def test_cancel_all_s_cancels_this_symbol_only_and_opens_nothing(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        await place(pilot, app, exchange, "0.001", "-1%")
        await pilot.press("X")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("s", "1")
        await until(pilot, lambda: not open_orders(exchange))
        await pilot.pause(0.2)
        assert isinstance(app.screen, MarketScreen), app.screen  # no SELL form behind the dialog


def _open_cancel_all(app: Any) -> None:
    app.market_screen.action_cancel_all()


def _open_form(app: Any) -> None:
    app.market_screen.action_order("buy")


def _open_search(app: Any) -> None:
    app.market_screen.action_search()


def _open_help(app: Any) -> None:
    app.market_screen.action_help()


def _open_ask(app: Any) -> None:
    app.push_screen(AskValue("New total quantity", "0.001"))


def _shows(kind: type) -> Any:
    return lambda app: isinstance(app.screen, kind)


def _panel_focused_on(field: str) -> Any:
    """The order panel docked on the dashboard, with the cursor in ``field``."""

    def is_open(app: Any) -> bool:
        panel = order_panel(app)
        return panel is not None and app.screen.focused is panel.query_one(field)

    return is_open


def _open_panel_on(field: str) -> Any:
    def opener(app: Any) -> None:
        panel = app.market_screen.open_order_panel("buy")
        assert panel is not None
        panel.call_after_refresh(lambda: panel.query_one(field).focus())

    return opener


# (how to open it, how to tell it is open, the keys that answer or close it). The order panel
# is no screen of its own: the dashboard behind it is the screen it docks on, and the market
# keys typed into it must reach neither, whichever kind of field has the cursor.
MODALS = [
    ("cancel-all", _open_cancel_all, _shows(Confirm), ["s", "y", "n", "escape"]),
    ("form", _open_form, lambda app: order_panel(app) is not None, ["escape"]),
    ("panel-select", _open_panel_on("#qty_unit"), _panel_focused_on("#qty_unit"), ["escape"]),
    ("panel-checkbox", _open_panel_on("#post_only"), _panel_focused_on("#post_only"), ["escape"]),
    ("search", _open_search, _shows(SymbolSearch), ["escape", "enter"]),
    ("help", _open_help, _shows(HelpScreen), ["question_mark", "escape", "q"]),
    ("prompt", _open_ask, _shows(AskValue), ["escape", "enter"]),
]


@pytest.mark.parametrize(("name", "opener", "is_open", "keys"), MODALS, ids=[m[0] for m in MODALS])
async def test_no_key_a_modal_handles_reaches_the_screen_behind(
    exchange: RunningExchange, name: str, opener: Any, is_open: Any, keys: list[str]
) -> None:
    """Every key that answers or closes a dialog (or the order panel), and the market screen's
    own keys typed inside it: the screen behind reacts to none of them (no form, no help, no
    depth or grouping change, nothing sent)."""
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        screen = app.market_screen
        assert isinstance(screen, MarketScreen)
        depth, group = app.store.market("BTC/USD").book_depth, screen.group
        for key in keys:
            sent = len(exchange.requests_received)
            opener(app)
            await until(pilot, lambda: is_open(app))
            await pilot.press("d", "plus", "L")  # market keys typed into the dialog
            await until(pilot, lambda: is_open(app))
            await pilot.press(key)
            await pilot.pause(0.15)
            if is_open(app):
                await pilot.press("escape")
            await until(pilot, lambda: panel_closed(app))
            await pilot.pause(0.1)
            assert panel_closed(app), (name, key, app.screen)
            assert app.store.market("BTC/USD").book_depth == depth and screen.group == group, (name, key)
            assert not screen.l3_view, (name, key)
            assert "add_order" not in methods(exchange)[sent:], (name, key)


async def test_review_keys_stay_in_the_review(exchange: RunningExchange) -> None:
    app = live_app(exchange)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot, app)
        screen = app.market_screen
        await fill_form(pilot, "buy", "0.001", "-1%")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("s", "b", "d", "escape")  # not the review's keys; escape backs out to the form
        await until(pilot, lambda: order_panel(app) is not None)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await pilot.pause(0.2)
        assert app.screen is screen and not open_orders(exchange)
