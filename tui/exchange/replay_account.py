"""The recorded account of a replay: executions and balances as the recording received them.

A REPLAY shows what the recorded account really did, so its private channels serve the
recording, not a paper account: the recorded snapshot, then each recorded update at its time
(re-sequenced for this connection; the recorded frames' tokens and sequence numbers never
matter). The state is kept merged as it goes: open orders (each report's fields over the
order's earlier ones, gone once closed), the newest fills, each asset's balance. A seek rebuilds
that state from the recording's start to the target and every subscriber gets a fresh snapshot
of it, so a seek backwards does not leave orders from the future on anyone's screen.
"""

from __future__ import annotations

import logging
from collections import deque
from decimal import Decimal
from typing import Any

from tui.exchange.conn import Conn
from tui.exchange.context import ExchangeContext
from tui.exchange.source_frames import channel_frame

__all__ = ["PRIVATE_CHANNELS", "RecordedAccount"]

log = logging.getLogger("tui.exchange.replay")
PRIVATE_CHANNELS = ("executions", "balances")
FILLS_KEPT = 50  # what an executions snapshot with snap_trades carries
CLOSED = frozenset({"filled", "canceled", "expired"})
# a trade report's own fields: they describe one fill, not the order a snapshot lists
TRADE_FIELDS = frozenset(
    {"exec_id", "trade_id", "last_qty", "last_price", "liquidity_ind", "cost", "fees", "margin", "reason"}
)


class RecordedAccount:
    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx
        self.orders: dict[str, dict[str, Any]] = {}  # open orders by id, fields merged
        self.fills: deque[dict[str, Any]] = deque(maxlen=FILLS_KEPT)
        self.balances: dict[str, dict[str, Any]] = {}  # by asset, as a snapshot row
        self.frames = 0
        # what each private socket's executions subscription asked for (snap_orders, snap_trades)
        self.options: dict[Conn, tuple[bool, bool]] = {}

    def rewind(self) -> None:
        """A replay seeks back: the account is as it was before the recording's first frame."""
        self.orders.clear()
        self.fills.clear()
        self.balances.clear()

    def handle(self, raw: str, send: bool = True) -> None:
        """One recorded private frame; ``send=False`` applies it silently (a replay seeking)."""
        read = channel_frame(raw, PRIVATE_CHANNELS)
        if read is None:
            return
        channel, data, frame = read
        rows = [r for r in data if isinstance(r, dict)]
        self.frames += 1
        snapshot = frame.get("type") == "snapshot"
        if channel == "executions":
            self._executions(rows, snapshot)
        else:
            self._balances(rows, snapshot)
        if not send:
            return
        if snapshot:  # the recording reconnected: its new snapshot is the account now
            self._send_snapshot(channel)
        else:
            self._send_update(channel, rows)

    def settle(self) -> None:
        """After frames applied silently: every subscriber gets the account as it is now."""
        for channel in PRIVATE_CHANNELS:
            self._send_snapshot(channel)

    # --- what a subscriber gets --------------------------------------------------------------------
    def subscribed(
        self, conn: Conn, channel: str, snap_orders: bool, snap_trades: bool
    ) -> list[dict[str, Any]]:
        """A private socket subscribes: the account's snapshot now, and the options kept for later
        snapshots of this socket."""
        if channel == "executions":
            self.options[conn] = (snap_orders, snap_trades)
        return self.snapshot(channel, snap_orders, snap_trades)

    def snapshot(
        self, channel: str, snap_orders: bool = True, snap_trades: bool = False
    ) -> list[dict[str, Any]]:
        if channel == "balances":
            return [dict(r) for r in self.balances.values()]
        data: list[dict[str, Any]] = []
        if snap_orders:
            data.extend(o | {"exec_type": "new"} for o in self.orders.values())
        if snap_trades:
            data.extend(self.fills)
        return data

    def _send_snapshot(self, channel: str) -> None:
        conns = self.ctx.conns
        for gone in [c for c in self.options if c not in conns]:
            del self.options[gone]
        for c in list(conns):
            if c.kind == "private" and (channel,) in c.subs:
                opts = self.options.get(c, (True, True)) if channel == "executions" else (True, False)
                c.seq[channel] = 1
                data = self.snapshot(channel, *opts)
                c.send({"channel": channel, "type": "snapshot", "data": data, "sequence": 1})

    def _send_update(self, channel: str, rows: list[dict[str, Any]]) -> None:
        for c in list(self.ctx.conns):
            if c.kind == "private" and (channel,) in c.subs:
                c.seq[channel] = c.seq.get(channel, 0) + 1
                c.send({"channel": channel, "type": "update", "data": rows, "sequence": c.seq[channel]})

    # --- merging -----------------------------------------------------------------------------------
    def _executions(self, rows: list[dict[str, Any]], snapshot: bool) -> None:
        if snapshot:
            self.orders.clear()
            self.fills.clear()
        for r in rows:
            oid = r.get("order_id")
            if not isinstance(oid, str):
                continue
            if r.get("exec_type") == "trade":
                self.fills.append(r)
                if snapshot and oid not in self.orders:
                    continue  # a recent fill of an order no longer open
            order = self.orders.get(oid)
            if order is None:
                if not snapshot and r.get("exec_type") not in ("pending_new", "new"):
                    continue  # a report about an order the recording never showed open
                order = self.orders[oid] = {}
            order.update((k, v) for k, v in r.items() if k not in TRADE_FIELDS and k != "exec_type")
            if order.get("order_status") in CLOSED:
                del self.orders[oid]

    def _balances(self, rows: list[dict[str, Any]], snapshot: bool) -> None:
        if snapshot:
            self.balances = {str(r.get("asset")): r for r in rows if "asset" in r}
            return
        for entry in rows:  # a ledger entry: the wallet's balance after it
            asset, balance = entry.get("asset"), entry.get("balance")
            if not isinstance(asset, str) or isinstance(balance, bool):
                continue
            if isinstance(balance, int):  # an integral number on the wire: no float_hook
                balance = Decimal(balance)
            if not isinstance(balance, Decimal):
                continue
            row = self.balances.setdefault(
                asset, {"asset": asset, "asset_class": entry.get("asset_class", "currency"), "wallets": []}
            )
            kind, wid = entry.get("wallet_type", "spot"), entry.get("wallet_id", "main")
            wallets = [w for w in row.get("wallets") or [] if isinstance(w, dict)]
            for w in wallets:
                if (w.get("type"), w.get("id")) == (kind, wid):
                    w["balance"] = balance
                    break
            else:
                wallets.append({"type": kind, "id": wid, "balance": balance})
            row["wallets"] = wallets
            row["balance"] = sum((w.get("balance", Decimal(0)) for w in wallets), Decimal(0))
