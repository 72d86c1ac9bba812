"""The soak command runs, reports its figures, and its checks can catch a client that is wrong."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui.bench.soak import soak
from tui.book.l2 import L2Book
from tui.feed.trading import Trading
from tui.feed.venue import Reply

FIGURES = (
    "verified lines checked",
    "wrong verified lines",
    "orders sent",
    "orders lost",
    "orders duplicated",
    "orders misreported",
    "exchange max single-request stall",
    "malformed frames counted",
)


def test_a_short_soak_prints_every_figure_and_finds_nothing_wrong() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tui", "soak", "--seconds", "3"], capture_output=True, text=True, timeout=90
    )
    assert out.returncode == 0, out.stdout + out.stderr
    figures = dict(line.split(": ", 1) for line in out.stdout.splitlines() if ": " in line)
    for name in FIGURES:
        assert name in figures, name
    assert int(figures["verified lines checked"]) > 0
    assert int(figures["orders sent"].split()[0]) > 0
    assert figures["wrong verified lines"] == "0"
    assert figures["orders duplicated"] == "0"
    assert figures["orders misreported"] == "0"


async def test_the_book_check_catches_a_client_that_trusts_every_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def trusting(self: L2Book, checksum: int) -> bool:
        self.last_ok = True
        return True

    monkeypatch.setattr(L2Book, "verify", trusting)
    figures = await soak(3, 200, "drop=0.02", seed=3)
    assert figures.verified_lines_checked > 0
    assert figures.wrong_verified_lines > 0
    assert not figures.clean


async def test_the_order_check_catches_a_client_that_calls_lost_orders_not_placed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the rule "absent from the snapshot, so not placed", applied even when the order is there
    def not_placed(self: Trading, cl_ord_id: str, latency: float) -> Reply:
        return Reply(False, {"cl_ord_id": cl_ord_id}, "not placed", latency, "lost-not-placed")

    monkeypatch.setattr(Trading, "_lost_add", not_placed)
    figures = await soak(4, 100, "corrupt=0", seed=3)
    assert figures.orders_lost > 0
    assert figures.orders_misreported > 0
