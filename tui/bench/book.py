"""``kraken-tui bench``: the book engine's hot path, measured.

Generates a seeded BTC/USD stream exactly as Kraken prints it (price precision 1, qty 8, trailing
zeros, unsorted lists and repeated prices now and then, replacement levels when a visible level
goes, no deletes for levels pushed out), with every expected checksum computed by a separate,
deliberately plain reference. Then times decode -> apply -> truncate -> verify for every message.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import zlib
from typing import Any

from sortedcontainers import SortedList

from tui.book import l2
from tui.book.l2 import L2Book, kernel_name
from tui.kraken.messages import decode

MID = 600_000  # 60000.0 in price ticks (precision 1)


def _p(ticks: int) -> str:
    return f"{ticks // 10}.{ticks % 10}"


def _q(ticks: int) -> str:
    return f"{ticks // 100_000_000}.{ticks % 100_000_000:08d}"


def _ref_checksum(
    asks: dict[int, int], ask_keys: SortedList[int], bids: dict[int, int], bid_keys: SortedList[int]
) -> int:
    text = ""
    for k in ask_keys[:10]:
        text += _p(k).replace(".", "").lstrip("0") + _q(asks[k]).replace(".", "").lstrip("0")
    for k in bid_keys[-1:-11:-1]:
        text += (_p(k).replace(".", "").lstrip("0")) + _q(bids[k]).replace(".", "").lstrip("0")
    return zlib.crc32(text.encode())


def _lv(p: int, q: int) -> str:
    return f'{{"price":{_p(p)},"qty":{_q(q)}}}'


def _frame(kind: str, b: list[str], a: list[str], checksum: int) -> bytes:
    return (
        f'{{"channel":"book","type":"{kind}","data":[{{"symbol":"BTC/USD","bids":[{",".join(b)}],'
        f'"asks":[{",".join(a)}],"checksum":{checksum},"timestamp":"2026-11-24T12:00:00.000000Z"}}]}}'
    ).encode()


class _Market:
    """The venue's full book and what one subscriber at ``depth`` holds of it.

    Knowing the subscriber's truncated book is what lets deletes and replacement levels be sent
    exactly when Kraken would send them.
    """

    def __init__(self, depth: int, rng: random.Random) -> None:
        self.depth, self.rng = depth, rng
        self.asks: dict[int, int] = {}
        self.bids: dict[int, int] = {}
        for i in range(1, depth + 500 + 1):
            self.asks[MID + i] = rng.randint(1, 3 * 10**8)
            self.bids[MID - i] = rng.randint(1, 3 * 10**8)
        self.ask_keys = SortedList(self.asks)
        self.bid_keys = SortedList(self.bids)
        self.held = {
            side: {p: book[p] for p in self.visible(side)}
            for side, book in (("asks", self.asks), ("bids", self.bids))
        }

    def visible(self, side: str) -> list[int]:
        if side == "asks":
            return list(self.ask_keys[: self.depth])
        return list(self.bid_keys[-1 : -self.depth - 1 : -1])

    def checksum(self) -> int:
        return _ref_checksum(self.asks, self.ask_keys, self.bids, self.bid_keys)

    def snapshot(self) -> bytes:
        return _frame(
            "snapshot",
            [_lv(p, self.bids[p]) for p in self.visible("bids")],
            [_lv(p, self.asks[p]) for p in self.visible("asks")],
            self.checksum(),
        )

    def update(self) -> bytes | None:
        """One update frame on a random side, or None when the random changes were all unseen."""
        rng, depth = self.rng, self.depth
        side = "asks" if rng.random() < 0.5 else "bids"
        book, keys = (self.asks, self.ask_keys) if side == "asks" else (self.bids, self.bid_keys)
        mine = self.held[side]
        sent: list[str] = []
        prices: list[int] = []

        def emit(price: int, qty: int) -> None:
            sent.append(_lv(price, qty))
            prices.append(price)
            if qty:
                mine[price] = qty
            else:
                mine.pop(price, None)

        for _ in range(rng.randint(1, 4)):
            dist = 1 + int(rng.expovariate(0.08))
            price = MID + dist if side == "asks" else MID - dist
            rank = keys.bisect_left(price) if side == "asks" else len(keys) - keys.bisect_right(price)
            if price in book and rng.random() < 0.3 and len(keys) > depth + 50:
                del book[price]
                keys.remove(price)
                if price in mine:
                    emit(price, 0)
                    slide = keys[depth - 1] if side == "asks" else keys[-depth]
                    if mine.get(slide) != book[slide]:
                        emit(slide, book[slide])  # the level sliding in from below the window
            else:
                qty = rng.randint(1, 5 * 10**8)
                if price not in book:
                    keys.add(price)
                book[price] = qty
                if rank < depth or price in mine:
                    if rng.random() < 0.05:
                        emit(price, rng.randint(1, 10**8))  # the same price twice in one frame
                    emit(price, qty)
        if not sent:
            return None
        # the subscriber truncates after the message
        if len(mine) > depth:
            for p in sorted(mine, reverse=side == "bids")[depth:]:
                del mine[p]
        if len(sent) > 1 and len(set(prices)) == len(prices) and rng.random() < 0.2:
            sent.reverse()  # Kraken's update lists come in no particular order
        bids, asks = (sent, []) if side == "bids" else ([], sent)
        return _frame("update", bids, asks, self.checksum())


def generate(updates: int, depth: int, seed: int) -> list[bytes]:
    """Snapshot + ``updates`` update frames for a subscriber at ``depth``."""
    market = _Market(depth, random.Random(seed))
    out = [market.snapshot()]
    while len(out) <= updates:
        frame = market.update()
        if frame is not None:
            out.append(frame)
    return out


def run_once(frames: list[bytes], depth: int) -> dict[str, Any]:
    book = L2Book("BTC/USD", 1, 8, depth)
    failures = 0
    t0 = time.perf_counter()
    for raw in frames:
        msg: Any = decode(raw)
        for e in msg.data:
            if msg.type == "snapshot":
                book.apply_snapshot(e.bids, e.asks)
            else:
                book.apply_update(e.bids, e.asks)
            if not book.verify(e.checksum):
                failures += 1
    dt = time.perf_counter() - t0
    return {
        "depth": depth,
        "kernel": kernel_name(),
        "messages": len(frames),
        "seconds": round(dt, 3),
        "msg_per_s": int(len(frames) / dt),
        "us_per_msg": round(dt / len(frames) * 1e6, 2),
        "checksum_failures": failures,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--depth", type=int, action="append", help="book depth (repeatable; default 10 and 1000)"
    )
    parser.add_argument(
        "--updates", type=int, default=200_000, help="update messages per depth (default 200000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--kernel",
        choices=["auto", "c", "python"],
        default="auto",
        help="the L2 inner loop to time (default: the compiled one when it was built)",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable results")


def run(args: argparse.Namespace, settings: object) -> int:
    if args.kernel == "python":
        l2._kernel = None
    elif args.kernel == "c" and l2._compiled is None:
        print("the compiled L2 kernel was not built here (no C compiler or Python headers at install)")
        return 2
    results = []
    for depth in args.depth or [10, 1000]:
        frames = generate(args.updates, depth, args.seed)
        result = run_once(frames, depth)
        results.append(result)
        if not args.json:
            print(
                f"depth {depth:>4}: {result['messages']:,} msgs in {result['seconds']:.2f}s = "
                f"{result['msg_per_s']:,} msg/s ({result['us_per_msg']} µs/msg), "
                f"checksum failures: {result['checksum_failures']}, {result['kernel']} kernel"
            )
    if args.json:
        print(json.dumps(results))
    return 1 if any(r["checksum_failures"] for r in results) else 0
