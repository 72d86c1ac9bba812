"""Balances by wallet (issue 15): a ledger update's balance is its wallet's, not the asset's total.

Frames are the recorded venue's (tests/exchange/recorded/kraken-async-rs.json) and the docs' wallet
split; decoded by tui.kraken.spot and applied through the one Store.apply path.
"""

from __future__ import annotations

from decimal import Decimal

from tui.kraken.jsontext import dumps
from tui.kraken.spot import decode_events
from tui.store import Store


def _apply(store: Store, frame: dict[str, object]) -> None:
    for event in decode_events(dumps(frame)):  # bare exact numbers, as the venue sends
        store.apply(event, 0.0)


def _snapshot(rows: list[dict[str, object]]) -> dict[str, object]:
    return {"channel": "balances", "type": "snapshot", "data": rows, "sequence": 1}


def _ledger(asset: str, wallet: str, balance: str) -> dict[str, object]:
    row = {"ledger_id": "DATKX6-PEHL1-HZKND8", "ref_id": "LKAKN2-N0N12-VKQNLN", "type": "trade", "asset": asset,
           "asset_class": "currency", "category": "trade", "wallet_type": wallet, "wallet_id": "main",
           "amount": Decimal("-1"), "fee": Decimal("0"), "balance": Decimal(balance)}  # fmt: skip
    return {"channel": "balances", "type": "update", "data": [row], "sequence": 2}


def test_ledger_update_moves_only_its_wallet() -> None:
    store = Store()
    wallets = [
        {"type": "spot", "id": "main", "balance": Decimal("100.0")},
        {"type": "earn", "id": "flex", "balance": Decimal("50.0")},
    ]
    _apply(
        store,
        _snapshot(
            [{"asset": "USD", "asset_class": "currency", "balance": Decimal("150.0"), "wallets": wallets}]
        ),
    )
    assert store.account.totals["USD"] == Decimal("150.0")
    _apply(store, _ledger("USD", "spot", "80.0"))
    assert store.account.totals["USD"] == Decimal("130.0")  # 80 spot + 50 earn, not 80


def test_recorded_split_with_unlisted_remainder() -> None:
    """Recorded: USD total 160.2405 with only a 1.34 spot wallet listed; the rest stays counted."""
    store = Store()
    wallets = [{"type": "spot", "id": "main", "balance": Decimal("1.34")}]
    _apply(
        store,
        _snapshot(
            [{"asset": "USD", "asset_class": "currency", "balance": Decimal("160.2405"), "wallets": wallets}]
        ),
    )
    _apply(store, _ledger("USD", "spot", "1.00"))
    assert store.account.totals["USD"] == Decimal("159.9005")
    _apply(
        store,
        _snapshot(
            [{"asset": "BRICK", "asset_class": "currency", "balance": Decimal("439.9736"), "wallets": []}]
        ),
    )
    _apply(store, _ledger("BRICK", "spot", "400.0"))
    assert store.account.totals["BRICK"] == Decimal("400.0")
