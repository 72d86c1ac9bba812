"""The screener's rows, pure: volume in USD through QUOTE/USD or USD/QUOTE, unknown otherwise."""

from __future__ import annotations

from decimal import Decimal

from tui.kraken.events import Ticker
from tui.kraken.instrument import Instrument
from tui.store.screener import Sort, build_rows, select_rows


def _inst(symbol: str, status: str = "online") -> Instrument:
    base, quote = symbol.split("/")
    return Instrument.from_wire(
        {
            "symbol": symbol,
            "base": base,
            "quote": quote,
            "status": status,
            "price_precision": 4,
            "qty_precision": 8,
        }
    )


def _tick(last: str, volume: str, vwap: str, bid: str, ask: str) -> Ticker:
    d = Decimal
    return Ticker(
        d(bid), d(1), d(ask), d(1), d(last), d(volume), d(vwap), d(last), d(last), d(0), d("1.5"), None
    )


def test_volume_is_converted_exactly_or_unknown() -> None:
    pairs = [_inst(s) for s in ("EUR/USD", "USD/JPY", "ADA/EUR", "ADA/JPY", "ADA/GBP", "ADA/USD")]
    tickers = {
        "EUR/USD": _tick("1.1000", "10", "1.1000", "1.0999", "1.1001"),
        "USD/JPY": _tick("150.00", "1", "150.00", "149.99", "150.01"),
        "ADA/EUR": _tick("0.5000", "1000", "0.5000", "0.4999", "0.5001"),
        "ADA/JPY": _tick("75.00", "100", "75.00", "74.99", "75.01"),
        "ADA/GBP": _tick("0.4000", "100", "0.4000", "0.3999", "0.4001"),  # no GBP/USD, no USD/GBP
    }
    rows = {r.symbol: r for r in build_rows(pairs, tickers)}
    assert rows["ADA/EUR"].volume == Decimal("1000") * Decimal("0.5000") * Decimal("1.1000")
    assert rows["ADA/JPY"].volume == Decimal("100") * Decimal("75.00") / Decimal("150.00")
    assert rows["ADA/GBP"].volume is None  # cannot be converted: unknown, never a guess
    assert rows["ADA/USD"].last is None and rows["ADA/USD"].volume is None  # no ticker yet
    assert rows["EUR/USD"].spread_bp == (Decimal("0.0002") / Decimal("1.1000") * 10000)
    by_volume = select_rows(list(rows.values()), Sort("volume", True))
    assert [r.symbol for r in by_volume][-2:] == ["ADA/GBP", "ADA/USD"]  # unknown last...
    assert [r.symbol for r in select_rows(list(rows.values()), Sort("volume", False))][-2:] == [
        "ADA/GBP",
        "ADA/USD",
    ]  # ...whichever the direction
    only = select_rows(list(rows.values()), Sort("pair", False), quote="EUR", text="ad")
    assert [r.symbol for r in only] == ["ADA/EUR"]
