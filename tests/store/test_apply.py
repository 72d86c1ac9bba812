"""The one apply path for everything that is not a book: each merge rule, from real frame text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from tests.store.frames import apply_futures, apply_spot, d, ready_store
from tui.store import OrdersSeen, SeenOrder, Store


def _ohlc(begin: str, close: str, interval: int = 1) -> str:
    return json.dumps(
        {
            "channel": "ohlc",
            "type": "update",
            "data": [
                {
                    "symbol": "BTC/USD",
                    "open": 1.0,
                    "high": 2.0,
                    "low": 0.5,
                    "close": 0,
                    "trades": 3,
                    "volume": 1.5,
                    "vwap": 1.2,
                    "interval_begin": begin,
                    "interval": interval,
                }
            ],
        }
    ).replace('"close": 0', f'"close": {close}')


def test_candles_merge_the_open_one_append_newer_and_ignore_older() -> None:
    store, _ = ready_store()
    apply_spot(store, _ohlc("2026-12-01T10:00:00.000000000Z", "1.10"))
    apply_spot(store, _ohlc("2026-12-01T10:00:00.000000000Z", "1.30"))  # the open candle moves
    apply_spot(store, _ohlc("2026-12-01T10:01:00.000000000Z", "1.40"))
    apply_spot(store, _ohlc("2026-12-01T09:59:00.000000000Z", "9.99"))  # late: never comes back
    candles = store.market("BTC/USD").candles[1]
    assert [(c.interval_begin[11:16], c.close) for c in candles] == [
        ("10:00", d("1.30")),
        ("10:01", d("1.40")),
    ]
    assert candles[0].vwap == d("1.2") and candles[0].trades == 3
    for minute in range(800):
        apply_spot(store, _ohlc(f"2026-12-02T{minute // 60:02d}:{minute % 60:02d}:00Z", "1"))
    assert len(store.market("BTC/USD").candles[1]) == 720


def test_futures_candle_snapshot_arrives_out_of_order_and_merges_in_time_order() -> None:
    store, _ = ready_store()
    rows = [
        {"time": t, "open": 1, "high": 2, "low": 1, "close": c, "volume": 3}
        for t, c in ((120000, 2.5), (60000, 1.5))
    ]
    apply_futures(
        store, json.dumps({"feed": "candles_trade_1m_snapshot", "product_id": "PF_XBTUSD", "candles": rows})
    )
    closes = [c.close for c in store.market("PF_XBTUSD").candles[1]]
    assert closes == [d("1.5"), d("2.5")]


def test_trades_are_de_duplicated_across_repeated_frames_and_overlapping_snapshots() -> None:
    store, _ = ready_store()

    def trades(kind: str, ids: list[int]) -> str:
        rows = [
            {
                "symbol": "BTC/USD",
                "side": "buy",
                "price": 100.1,
                "qty": 0.001,
                "ord_type": "limit",
                "trade_id": i,
                "timestamp": "2026-12-01T10:00:00Z",
            }
            for i in ids
        ]
        return json.dumps({"channel": "trade", "type": kind, "data": rows})

    apply_spot(store, trades("snapshot", [1, 2, 3]))
    apply_spot(store, trades("update", [3]))  # a repeated frame
    apply_spot(store, trades("snapshot", [2, 3, 4]))  # a resubscribe overlapping what we have
    mk = store.market("BTC/USD")
    assert [t.trade_id for t in mk.trades] == [1, 2, 3, 4]
    assert mk.trades[0].price == d("100.1") and mk.trades[0].qty == d("0.001")

    snap = {
        "feed": "trade_snapshot",
        "product_id": "PF_XBTUSD",
        "trades": [
            {
                "side": "sell",
                "type": "fill",
                "time": 1790359963339,
                "qty": 0.0001,
                "price": 83999.0,
                "seq": 9,
            },
            {"side": "buy", "type": "fill", "time": 1790359961107, "qty": 0.0003, "price": 84002.0, "seq": 8},
        ],
    }
    apply_futures(store, json.dumps(snap))
    apply_futures(store, json.dumps(snap))
    assert [t.trade_id for t in store.market("PF_XBTUSD").trades] == [
        8,
        9,
    ]  # newest-first snapshot, oldest first here


def _exec(kind: str, *rows: Mapping[str, object]) -> str:
    return json.dumps({"channel": "executions", "type": kind, "data": list(rows)})


def test_sparse_order_reports_merge_into_typed_views_and_terminal_orders_move_to_history() -> None:
    store = Store()
    acct = store.account
    out = apply_spot(
        store,
        _exec(
            "update",
            {
                "order_id": "O1",
                "exec_type": "new",
                "symbol": "BTC/USD",
                "side": "buy",
                "order_type": "limit",
                "order_qty": "0.50000000",
                "limit_price": "100.0",
                "cl_ord_id": "c-1",
                "order_status": "new",
                "timestamp": "2026-12-01T10:00:00.000000Z",
            },
        ),
    )
    view = acct.orders["O1"]
    assert (view.symbol, view.side, view.order_type, view.status) == ("BTC/USD", "buy", "limit", "new")
    assert view.qty == Decimal("0.5") and view.limit_price == Decimal("100.0") and view.cl_ord_id == "c-1"
    assert view.first_seen == 1796119200.0
    assert out == [OrdersSeen("spot", False, (SeenOrder("O1", "c-1", "new"),), frozenset({"O1"}))]
    # a sparse update names only what changed: the rest stays
    apply_spot(store, _exec("update", {"order_id": "O1", "exec_type": "amended", "limit_price": "99.5"}))
    assert view.limit_price == Decimal("99.5") and view.qty == Decimal("0.5") and view.side == "buy"
    apply_spot(
        store,
        _exec(
            "update",
            {"order_id": "O1", "exec_type": "filled", "order_status": "filled", "cum_qty": "0.50000000"},
        ),
    )
    assert "O1" not in acct.orders and acct.history[-1] is view
    assert view.filled == view.qty and view.remaining == 0
    assert view.get("order_status") == "filled" and view.fields["cum_qty"] == Decimal("0.5")


def test_a_snapshot_replaces_only_its_venues_orders_and_reports_the_evidence() -> None:
    store, _ = ready_store()
    acct = store.account
    apply_futures(
        store,
        json.dumps(
            {
                "feed": "open_orders_snapshot",
                "orders": [
                    {
                        "order_id": "F1",
                        "instrument": "PF_XBTUSD",
                        "direction": 1,
                        "type": "limit",
                        "qty": 0.5,
                        "filled": 0.25,
                        "limit_price": 100.5,
                        "cli_ord_id": "fc-1",
                        "time": 1790359964969,
                        "reduce_only": False,
                    },
                ],
            }
        ),
    )
    apply_spot(
        store,
        _exec(
            "update",
            {
                "order_id": "S0",
                "exec_type": "new",
                "symbol": "BTC/USD",
                "order_status": "new",
                "order_qty": "1",
            },
        ),
    )
    out = apply_spot(
        store,
        _exec(
            "snapshot",
            {
                "order_id": "S1",
                "exec_type": "new",
                "symbol": "BTC/USD",
                "side": "sell",
                "order_qty": "1.0",
                "order_status": "new",
                "cl_ord_id": "c-2",
            },
            {
                "order_id": "S9",
                "exec_id": "E9",
                "exec_type": "trade",
                "trade_id": 7,
                "symbol": "BTC/USD",
                "side": "buy",
                "last_qty": "0.1",
                "last_price": "100.0",
                "cost": "10.0",
                "order_status": "filled",
                "cl_ord_id": "c-9",
                "fees": [{"asset": "USD", "qty": "0.04"}],
                "timestamp": "2026-12-01T10:00:00Z",
                "liquidity_ind": "t",
            },
        ),
    )
    assert set(acct.orders) == {"S1", "F1"}, "the spot snapshot dropped S0, kept the futures order"
    futures = acct.orders["F1"]
    assert (futures.side, futures.qty, futures.filled, futures.status) == (
        "sell",
        d("0.75"),
        d("0.25"),
        "partially_filled",
    )
    seen = [o for o in out if isinstance(o, OrdersSeen)]
    assert seen == [
        OrdersSeen("spot", False, (SeenOrder("S9", "c-9", "traded"),), frozenset()),  # the fill, first
        OrdersSeen(
            "spot", True, (SeenOrder("S1", "c-2", "new"), SeenOrder("S9", "c-9", "filled")), frozenset({"S1"})
        ),
    ]
    assert [f.exec_id for f in acct.fills] == ["E9"] and acct.fills[0].fee == d("0.04")
    # a futures closure notice for an order we never saw is dropped; for a known one it closes it
    apply_futures(
        store,
        json.dumps(
            {"feed": "open_orders", "order_id": "NEVER", "is_cancel": True, "reason": "cancelled_by_user"}
        ),
    )
    apply_futures(
        store,
        json.dumps({"feed": "open_orders", "order_id": "F1", "is_cancel": False, "reason": "full_fill"}),
    )
    assert "F1" not in acct.orders and acct.history[-1].status == "filled" and len(acct.history) == 1


def test_fills_are_de_duplicated_by_execution_id_on_both_venues() -> None:
    store = Store()
    fill = {
        "order_id": "S1",
        "exec_id": "E1",
        "exec_type": "trade",
        "symbol": "BTC/USD",
        "side": "buy",
        "last_qty": "0.1",
        "last_price": "100.0",
        "cost": "10.0",
        "order_status": "partially_filled",
    }
    apply_spot(store, _exec("update", fill))
    apply_spot(store, _exec("update", fill))
    futures = {
        "feed": "fills_snapshot",
        "fills": [
            {
                "instrument": "PF_XBTUSD",
                "time": 1790359964969,
                "price": 100.5,
                "seq": 3,
                "buy": True,
                "qty": 0.2,
                "order_id": "F1",
                "fill_id": "FF1",
                "fill_type": "maker",
                "fee_paid": 0.001,
                "fee_currency": "USD",
            },
        ],
    }
    apply_futures(store, json.dumps(futures))
    apply_futures(store, json.dumps(futures | {"feed": "fills"}))
    assert [f.exec_id for f in store.account.fills] == ["E1", "FF1"]
    ff = store.account.fills[1]
    assert (ff.symbol, ff.side, ff.cost, ff.liquidity) == ("PF_XBTUSD", "buy", d("20.1"), "m")


def test_balances_positions_and_margin() -> None:
    store = Store()
    apply_spot(
        store,
        '{"channel":"balances","type":"snapshot","data":[{"asset":"USD","balance":160.2405},{"asset":"BTC","balance":0.5}],"sequence":1}',
    )
    apply_spot(
        store,
        '{"channel":"balances","type":"update","data":[{"asset":"USD","amount":-19.9743,"balance":118.0677,"type":"trade"}],"sequence":2}',
    )
    assert store.account.totals == {"USD": d("118.0677"), "BTC": d("0.5")}
    positions = {
        "feed": "open_positions",
        "positions": [
            {
                "instrument": "PF_XBTUSD",
                "balance": -0.5,
                "entry_price": 100.0,
                "mark_price": 101.0,
                "pnl": -0.5,
            },
            {"instrument": "PF_ETHUSD", "balance": 0, "entry_price": 0},
        ],
    }
    apply_futures(store, json.dumps(positions))
    assert (
        list(store.account.positions) == ["PF_XBTUSD"]
        and store.account.positions["PF_XBTUSD"].side == "short"
    )
    apply_futures(store, json.dumps({"feed": "open_positions", "positions": []}))
    assert store.account.positions == {}
    apply_futures(
        store,
        json.dumps(
            {
                "feed": "balances",
                "flex_futures": {
                    "currencies": {"USD": {}},
                    "balance_value": 1000.5,
                    "margin_equity": 999,
                    "available_margin": 900,
                },
            }
        ),
    )
    m = store.account.futures_margin
    assert m is not None and (m.currency, m.collateral, m.available_margin) == ("USD", d("1000.5"), d("900"))


def test_changes_name_typed_parts_the_screens_read() -> None:
    store, books = ready_store()
    v = store.version
    apply_spot(store, books.frame("update", "ETH/USD", [("100.5", "0.50000000")], []))
    apply_spot(
        store,
        _exec("update", {"order_id": "O1", "exec_type": "new", "symbol": "ETH/USD", "order_status": "new"}),
    )
    ch = store.changes_since(v)
    assert ch.symbols == {"ETH/USD"} and "book" in ch.symbol_parts("ETH/USD") and ch.account == {"orders"}
