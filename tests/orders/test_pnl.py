"""P&L from fills against a hand calculation written out with Decimal."""

from __future__ import annotations

from decimal import Decimal

from tui.kraken.events import Fill
from tui.orders.pnl import (
    ClosedLot,
    Lot,
    futures_fifo,
    futures_unrealised,
    spot_average_cost,
    spot_unrealised,
)

D = Decimal


def fill(
    side: str, qty: str, price: str, fee: str = "0", fee_asset: str = "USD", symbol: str = "BTC/USD"
) -> Fill:
    q, p = D(qty), D(price)
    return Fill("O", "E", None, symbol, side, q, p, q * p, D(fee), fee_asset, "t", "2026-12-01T10:00:00Z")


def test_spot_average_cost_two_buys_a_partial_sell_and_fees() -> None:
    fills = [
        fill("buy", "0.5", "60000.0", "7.80"),
        fill("buy", "0.3", "64000.0", "4.99"),
        fill("sell", "0.6", "66000.0", "10.30"),
    ]
    pos, per_fill = spot_average_cost(fills, "BTC", "USD")
    # by hand: cost 0.5*60000 + 7.80 + 0.3*64000 + 4.99 = 30007.80 + 19204.99 = 49212.79 for 0.8 BTC
    cost = D("30007.80") + D("19204.99")
    avg = cost / D("0.8")
    assert avg == D("61515.9875")
    # the sell: 0.6 * 66000 - 10.30 = 39589.70 proceeds, basis 0.6 * avg = 36909.5925
    realised = D("39589.70") - D("0.6") * avg
    assert realised == D("2680.1075")
    assert per_fill == [None, None, realised]
    assert pos.realised == realised
    assert pos.qty == D("0.2") and pos.cost == cost - D("0.6") * avg and pos.avg_cost == avg
    # unrealised at a mid of 65000.05: 0.2 * 65000.05 - 0.2 * avg
    assert spot_unrealised(pos, D("65000.05")) == D("0.2") * D("65000.05") - D("0.2") * avg == D("696.8125")


def test_spot_fee_in_base_comes_out_of_the_coins_and_other_fees_are_not_guessed() -> None:
    fills = [
        fill("buy", "1", "100", "0.001", "BTC"),  # holds 0.999 for 100
        fill("buy", "1", "100", "3", "KFEE"),  # holds 1.999 for 200; 3 KFEE not valued
        fill("sell", "0.5", "120", "0.0005", "BTC"),  # gives up 0.5005
    ]
    pos, per_fill = spot_average_cost(fills, "BTC", "USD")
    realised = D("0.5") * D("120") - D("200") * D("0.5005") / D("1.999")
    assert per_fill == [None, None, realised]
    assert pos.qty == D("1.4985") and pos.unvalued_fees == D("3")
    assert pos.cost == D("200") - D("200") * D("0.5005") / D("1.999")


def test_spot_sell_beyond_known_history_is_unknown_not_guessed() -> None:
    pos, per_fill = spot_average_cost([fill("buy", "0.1", "100"), fill("sell", "0.3", "110")], "BTC", "USD")
    assert per_fill == [None, None] and pos.partial and pos.qty == 0


def test_futures_fifo_open_add_reduce_close_and_flip() -> None:
    fills = [
        fill("buy", "2", "100.0", "0.10", symbol="PF_XBTUSD"),  # open long 2 @ 100
        fill("buy", "1", "110.0", "0.05", symbol="PF_XBTUSD"),  # add 1 @ 110
        fill("sell", "2.5", "120.0", "0.12", symbol="PF_XBTUSD"),  # reduce: 2 @ 100 then 0.5 @ 110
        fill("sell", "1.5", "90.0", "0.07", symbol="PF_XBTUSD"),  # close 0.5 @ 110, open short 1 @ 90
        fill("buy", "1", "95.0", "0.04", symbol="PF_XBTUSD"),  # close the short
    ]
    book, per_fill = futures_fifo(fills)
    reduce_ = D("2") * (D("120") - D("100")) + D("0.5") * (D("120") - D("110"))  # 40 + 5
    close_long = D("0.5") * (D("90") - D("110"))  # -10
    close_short = D("-1") * (D("95") - D("90"))  # -5: a short loses as the price rises
    assert per_fill == [None, None, reduce_, close_long, close_short]
    assert book.closed == [
        ClosedLot(D("2"), D("100.0"), D("120.0")),
        ClosedLot(D("0.5"), D("110.0"), D("120.0")),
        ClosedLot(D("0.5"), D("110.0"), D("90.0")),
        ClosedLot(D("-1"), D("90.0"), D("95.0")),
    ]
    assert book.realised == D("30") and book.fees == D("0.38")
    assert book.lots == [] and book.size == 0


def test_futures_unrealised_over_open_lots() -> None:
    book, _ = futures_fifo(
        [
            fill("sell", "3", "100", symbol="PF_XBTUSD"),
            fill("sell", "1", "104", symbol="PF_XBTUSD"),
            fill("buy", "2", "101", symbol="PF_XBTUSD"),
        ]
    )
    assert book.lots == [Lot(D("-1"), D("100")), Lot(D("-1"), D("104"))]
    assert book.realised == D("-2") * (D("101") - D("100"))
    assert futures_unrealised(book.lots, D("102")) == D("-1") * D("2") + D("-1") * D("-2") == 0
