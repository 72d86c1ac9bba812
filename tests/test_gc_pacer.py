from __future__ import annotations

import gc
import weakref

from tui.gc_pacer import NEVER, GcPacer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pacer(clock: Clock, calls: list[float], log: list[str] | None = None) -> GcPacer:
    log = [] if log is None else log

    def collect() -> int:
        calls.append(clock.now)
        log.append("collect")
        return 0

    p = GcPacer(
        idle_after=2,
        every=30,
        at_most=120,
        clock=clock,
        collect=collect,
        thaw_every=600,
        freeze=lambda: log.append("freeze"),
        unfreeze=lambda: log.append("unfreeze"),
    )
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


def test_survivors_are_frozen_and_thawed_every_ten_minutes() -> None:
    clock, calls, log = Clock(), list[float](), list[str]()
    p = pacer(clock, calls, log)
    try:
        for _ in range(21):  # a collection every 30 idle seconds for 10.5 minutes
            clock.now += 30
            assert p.tick(busy=False) is not None
        assert log[:4] == ["collect", "freeze", "collect", "freeze"]  # the survivors are not walked again
        assert log.count("unfreeze") == 1  # ... until the thaw, 600 s after the start
        at = log.index("unfreeze")
        assert log[at : at + 3] == ["unfreeze", "collect", "freeze"] and at == 2 * 19
    finally:
        p.uninstall()
    assert log[-1] == "unfreeze"  # uninstall leaves nothing frozen


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only a full collection frees it


def test_with_the_real_collector_new_garbage_goes_at_once_and_frozen_garbage_at_the_thaw() -> None:
    clock = Clock()
    p = GcPacer(idle_after=2, every=30, at_most=120, clock=clock, thaw_every=600)
    p.install()
    try:
        held = Node()  # alive at the first collection: frozen with the survivors
        clock.now += 30
        assert p.tick(busy=False) is not None and gc.get_freeze_count() > 0
        fresh = Node()
        gc.collect(1)  # alive through a young collection: now in the oldest generation, not frozen
        fresh_ref, held_ref = weakref.ref(fresh), weakref.ref(held)
        del fresh, held
        gc.collect(1)
        assert fresh_ref() is not None  # only a full collection can free it now
        clock.now += 30
        p.tick(busy=False)
        assert fresh_ref() is None  # made since the freeze: walked and freed
        assert held_ref() is not None  # frozen: left alone, no walk over the survivors
        clock.now += 600
        p.tick(busy=False)
        assert held_ref() is None  # the thaw walks everything once
    finally:
        p.uninstall()
    assert gc.get_freeze_count() == 0
