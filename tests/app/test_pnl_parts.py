"""The parts of the P&L panel that need no trading: each asset's display precision (from the
instrument channel, real Kraken's recorded snapshot and the embedded exchange's), the portfolio
naming what it cannot value, and the liquidation estimate against the exchange's margin model."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.app.conftest import FixtureApp, until
from tui.kraken.events import FuturesMargin, InstrumentsUpdate, Position
from tui.kraken.spot import decode_events
from tui.orders.pnl_report import liquidation_estimate, portfolio
from tui.store import Store
from tui.widgets.account import BalancesTable, asset_amount

D = Decimal
RECORDED = Path("/work/shared/recorded/kraken-data-recorder.json")


def test_the_venues_display_precision_is_kept_per_asset() -> None:
    frame = json.loads(RECORDED.read_text())["frames"][0]["raw"] if RECORDED.exists() else None
    if frame is None:  # the shared recordings are not part of a checkout: the same shape, inline
        frame = json.dumps(
            {
                "channel": "instrument",
                "type": "snapshot",
                "data": {
                    "assets": [
                        {"id": "USD", "precision": 4, "precision_display": 2},
                        {"id": "BTC", "precision": 10, "precision_display": 5},
                        {"id": "DOGE", "precision": 8, "precision_display": 2},
                    ],
                    "pairs": [],
                },
            }
        )
    (update,) = [e for e in decode_events(frame) if isinstance(e, InstrumentsUpdate)]
    shown = dict(update.asset_display)
    assert (shown["USD"], shown["BTC"], shown["DOGE"]) == (2, 5, 2)
    store = Store("LIVE")
    store.apply(update, 0.0)
    assert store.asset_display["BTC"] == 5


def test_an_odd_asset_row_is_skipped_not_fatal() -> None:
    frame = {
        "channel": "instrument",
        "type": "snapshot",
        "data": {
            "assets": [{"id": "BTC", "precision_display": "5"}, {"precision_display": 2}, 7],
            "pairs": [],
        },
    }
    (update,) = [e for e in decode_events(json.dumps(frame)) if isinstance(e, InstrumentsUpdate)]
    assert update.asset_display == ()


def test_amounts_are_cut_to_the_assets_decimals_never_rounded_up() -> None:
    assert asset_amount(D("1.0000099999"), 5) == "1.00000"
    assert asset_amount(D("100000.0000"), 2) == "100,000.00"
    assert asset_amount(D("0.123456789012"), None) == "0.123456789012"  # unknown: as given


async def test_balances_show_each_assets_precision_in_every_column() -> None:
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("B")
        table = app.screen.query_one(BalancesTable)
        await until(pilot, lambda: "BTC" in table._values)
        digits = app.store.asset_display
        assert digits["BTC"] == 5  # what the recorded session's exchange sent
        for asset in ("BTC", "ETH", "USD", "EUR"):
            cells = [c.plain for c in table.get_row(asset)]
            assert all(len(v.split(".")[1]) == digits[asset] for v in cells[1:4]), cells
        total = [c.plain for c in table.get_row("__total__")]
        assert "EUR" in total[3]  # the portfolio says what it left out


def test_the_portfolio_values_through_either_direction_and_names_the_rest() -> None:
    store = Store("DEMO")
    store.account.totals.update({"USD": D(10), "EUR": D(100), "JPY": D(1000)})
    store.market("EUR/USD")  # watched, but no verified book yet
    pf = portfolio(store, "USD")
    assert pf.value == D(10)
    assert dict((a, w) for a, _, w in pf.not_valued) == {
        "EUR": "EUR/USD no book yet",
        "JPY": "no JPY/USD price",
    }


def test_the_liquidation_estimate_is_the_exchanges_flex_model() -> None:
    def margin(equity: str, mm: str) -> FuturesMargin:
        return FuturesMargin("USD", D(equity), D(equity), D(0), D(0), D(mm), D(0))

    long = Position("PF_XBTUSD", D(1), D(50000), D(50000), D(0), None, None, None)
    price, note = liquidation_estimate(long, {"PF_XBTUSD": long}, margin("5000", "500"), D(50000))
    # the exchange's own formula (tui/exchange/futures/account.py): (q*mark - equity + mm_other) / (q - r*|q|)
    assert price is not None and abs(price - (D(50000) - D(5000)) / (D(1) - D("0.01"))) < D("1e-20")
    assert "estimate" in note and "1.00%" in note
    short = Position("PF_XBTUSD", D(-1), D(50000), D(50000), D(0), None, None, None)
    price, _ = liquidation_estimate(short, {"PF_XBTUSD": short}, margin("5000", "500"), D(50000))
    assert price is not None and abs(price - (D(-50000) - D(5000)) / (D(-1) - D("0.01"))) < D("1e-20")
    small = Position("PF_XBTUSD", D("0.03"), D(50000), D(50000), D(0), None, None, None)
    price, note = liquidation_estimate(small, {"PF_XBTUSD": small}, margin("50000", "15"), D(50000))
    assert price is None and note.startswith("none: equity covers a fall to 0")
