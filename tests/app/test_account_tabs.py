"""Hidden account tabs are not repainted, and a tab shows the latest values the moment it is shown
(recorded session, no sockets): a hidden table that repaints made Textual arrange the whole screen
again 4 times a second at 683 pairs (``bench-ui --pairs all``)."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import TabbedContent

from tui.widgets.account import BalancesTable

from .conftest import FixtureApp, screen_text, until


async def test_balances_wait_while_hidden_and_are_current_when_shown() -> None:
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause(0.3)
        screen = app.market_screen
        assert screen is not None
        assert screen.query_one("#account", TabbedContent).active == "tab-orders"
        table = screen.query_one(BalancesTable)
        refreshed: list[object] = []
        refresh = table.refresh

        def counting(*args: object, **kw: object) -> object:
            refreshed.append(args)
            return refresh(*args, **kw)  # type: ignore[arg-type]

        table.refresh = counting  # type: ignore[method-assign,assignment]
        store = app.store
        store.account.totals["BTC"] = Decimal("7.25")
        store.mark("account", "balances")
        store.flush()
        await pilot.pause(0.6)  # two slow ticks: the balances changed, the tab is hidden
        assert refreshed == []

        await pilot.press("B")  # the tab is shown with the balance as it is now
        assert "7.25000" in screen_text(app)
        await until(pilot, lambda: "7.25000" in [c.plain for c in table.get_row("BTC")][1])

        store.account.totals["BTC"] = Decimal("8.5")  # shown: it follows at the slow rate
        store.mark("account", "balances")
        store.flush()
        await until(pilot, lambda: "8.50000" in screen_text(app))
