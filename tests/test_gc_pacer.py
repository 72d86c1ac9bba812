from __future__ import annotations

import gc

from tui.gc_pacer import NEVER, GcPacer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pacer(clock: Clock, calls: list[float]) -> GcPacer:
    def collect() -> int:
        calls.append(clock.now)
        return 0

    p = GcPacer(idle_after=2, every=30, at_most=120, clock=clock, collect=collect)
    p.install()
    return p


def test_collects_only_when_idle_and_due_and_never_while_busy() -> None:
    clock, calls = Clock(), list[float]()
    p = pacer(clock, calls)
    try:
        clock.now += 29
        assert p.tick(busy=False) is None  # idle, but not due yet
        clock.now += 2
        p.touch()
        clock.now += 1
        assert p.tick(busy=False) is None  # due, but a key 1 s ago
        clock.now += 1.5
        assert p.tick(busy=True) is None  # idle and due, but a modal is open
        assert p.tick(busy=False) is not None
        assert calls == [clock.now] and p.collections == 1
        assert p.tick(busy=False) is None  # and not again until the next period
    finally:
        p.uninstall()


def test_a_trader_who_never_pauses_still_gets_a_collection_when_overdue() -> None:
    clock, calls = Clock(), list[float]()
    p = pacer(clock, calls)
    try:
        for _ in range(119):
            clock.now += 1
            p.touch()
            assert p.tick(busy=False) is None
        clock.now += 1
        p.touch()
        assert p.tick(busy=True) is None  # overdue, yet an order is in flight
        assert p.tick(busy=False) is not None
        assert len(calls) == 1
    finally:
        p.uninstall()


def test_install_takes_over_full_collections_and_uninstall_gives_them_back() -> None:
    before = gc.get_threshold()
    p = GcPacer()
    assert p.tick(busy=False) is None and not p.installed  # not installed: never collects
    p.install()
    assert gc.get_threshold() == (before[0], before[1], NEVER)
    p.install()  # twice is harmless
    p.uninstall()
    assert gc.get_threshold() == before
    p.uninstall()
    assert gc.get_threshold() == before
