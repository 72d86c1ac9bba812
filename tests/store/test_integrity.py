"""The integrity machine, once for both venues: the acceptance test of the one-direction client."""

from __future__ import annotations

from tests.store.frames import (
    FUTURES,
    SPOT,
    apply_futures,
    apply_spot,
    futures_book,
    futures_delta,
    ready_store,
)
from tui.book.sequenced import SequencedBook
from tui.store import RefreshBook, ResyncBook
from tui.store.integrity import RESYNC_DEDUP, RETRY_AFTER


def test_spot_and_futures_frames_go_through_one_apply_and_one_integrity_machine() -> None:
    store, books = ready_store()
    assert all(store.market(s).book_state == "ok" for s in (*SPOT, *FUTURES))
    assert isinstance(store.market("PF_XBTUSD").book, SequencedBook)

    # good deltas on both venues keep every book verified
    assert not apply_spot(store, books.frame("update", "BTC/USD", [("100.5", "0.50000000")], []))
    assert not apply_futures(store, futures_delta("PF_XBTUSD", 11, "buy", "100.0", "4.0"))
    assert store.market("BTC/USD").book.best_bid() == (1005, 50000000)  # type: ignore[union-attr]
    assert store.market("PF_XBTUSD").book.best_bid() == (1000, 40000)  # type: ignore[union-attr]

    # a checksum mismatch (spot) and a sequence gap (futures): a resync for that symbol only
    spot_out = apply_spot(store, books.frame("update", "BTC/USD", [], [("101.5", "1.00000000")], wrong=True))
    futures_out = apply_futures(store, futures_delta("PF_XBTUSD", 13, "sell", "101.0", "0.0"))
    assert spot_out == [ResyncBook("BTC/USD", "checksum mismatch")]
    assert futures_out == [ResyncBook("PF_XBTUSD", "sequence gap at 13")]
    states = {s: store.market(s).book_state for s in (*SPOT, *FUTURES)}
    assert states == {"BTC/USD": "resyncing", "ETH/USD": "ok", "PF_XBTUSD": "resyncing", "PF_ETHUSD": "ok"}
    assert store.market("BTC/USD").checksum_mismatches == 1 and store.market("PF_XBTUSD").sequence_gaps == 1

    # while resyncing, deltas are dropped (no new request) and the healthy symbols keep streaming
    assert not apply_spot(store, books.frame("update", "BTC/USD", [("99.0", "1.00000000")], []))
    assert not apply_futures(store, futures_delta("PF_XBTUSD", 14, "buy", "99.0", "1.0"))
    assert not apply_spot(store, books.frame("update", "ETH/USD", [("100.2", "1.00000000")], []))
    assert not apply_futures(store, futures_delta("PF_ETHUSD", 11, "buy", "99.0", "1.0"))
    assert store.market("ETH/USD").book_state == "ok" and store.market("PF_ETHUSD").book_state == "ok"
    assert store.market("BTC/USD").resyncs == 1 and store.market("PF_XBTUSD").resyncs == 1

    # fresh snapshots end the episode on both venues
    assert not apply_spot(
        store, books.frame("snapshot", "BTC/USD", [("100.0", "1.00000000")], [("101.0", "1.00000000")])
    )
    assert not apply_futures(store, futures_book("PF_XBTUSD", 40))
    assert store.market("BTC/USD").book_state == "ok" and store.market("PF_XBTUSD").book_state == "ok"


def test_one_request_per_episode_and_a_retry_when_the_snapshot_never_comes() -> None:
    store, books = ready_store()
    first = apply_spot(
        store, books.frame("update", "BTC/USD", [("99.0", "1.00000000")], [], wrong=True), now=10.0
    )
    assert first == [ResyncBook("BTC/USD", "checksum mismatch")]
    # a snapshot that fails again inside the episode asks for nothing new ...
    bad = books.frame("snapshot", "BTC/USD", [("100.0", "1.00000000")], [("101.0", "1.00000000")], wrong=True)
    assert apply_spot(store, bad, now=10.0 + RESYNC_DEDUP / 2) == []
    # ... the once-a-second tick asks again when no good snapshot came in time
    assert store.tick(10.0 + RETRY_AFTER / 2, 30.0, ["BTC/USD"]) == []
    again = store.tick(10.0 + RETRY_AFTER + 0.5, 30.0, ["BTC/USD", "ETH/USD"])
    assert [r.symbol for r in again] == ["BTC/USD"]
    assert store.market("BTC/USD").resyncs == 2


def test_a_snapshot_lost_after_a_reconnect_is_asked_for_again_only_while_connected() -> None:
    """A reconnect puts every book to `waiting` without asking for any by name; a snapshot dropped
    then left a book waiting for ever (seen in the fault-healing feed test under load)."""
    store, books = ready_store()
    bad = books.frame("update", "BTC/USD", [("99.0", "1.00000000")], [], wrong=True)
    assert apply_spot(store, bad, now=15.0) == [ResyncBook("BTC/USD", "checksum mismatch")]
    store.integrity.reset(["BTC/USD"])  # the resync asked before the drop went with the socket
    public = store.health.conn("public")
    public.state = "reconnecting"
    assert store.tick(20.0, 30.0, ["BTC/USD"]) == []
    assert store.tick(20.0 + 2 * RETRY_AFTER, 30.0, ["BTC/USD"]) == []  # down: nothing asked
    public.state = "connected"
    assert store.tick(30.0, 30.0, ["BTC/USD"]) == []  # up: its snapshot awaited from now
    assert store.tick(30.0 + RETRY_AFTER / 2, 30.0, ["BTC/USD"]) == []
    again = store.tick(30.0 + RETRY_AFTER + 0.5, 30.0, ["BTC/USD"])
    assert [r.symbol for r in again] == ["BTC/USD"] and store.market("BTC/USD").book_state == "resyncing"


def test_a_quiet_book_turns_stale_and_the_next_verified_delta_restores_it() -> None:
    store, _ = ready_store()
    apply_futures(store, futures_delta("PF_XBTUSD", 11, "buy", "100.0", "4.0"), now=5.0)
    assert store.tick(5.0 + 31, 30.0, ["PF_XBTUSD", "BTC/USD"]) == []
    assert store.market("PF_XBTUSD").book_state == "stale"
    assert store.market("BTC/USD").book_state == "stale"  # its last update was at t=1
    assert not apply_futures(store, futures_delta("PF_XBTUSD", 12, "buy", "99.5", "1.0"), now=40.0)
    assert store.market("PF_XBTUSD").book_state == "ok"
    assert store.market("BTC/USD").book_state == "stale"


def test_a_crossed_spot_book_is_not_verified_even_with_a_matching_checksum() -> None:
    store, books = ready_store()
    out = apply_spot(store, books.frame("update", "ETH/USD", [("102.0", "1.00000000")], []))
    assert out == [ResyncBook("ETH/USD", "checksum mismatch")]
    assert store.market("ETH/USD").crossed == 1


def test_a_spot_book_frame_without_a_checksum_is_not_verified() -> None:
    store, _ = ready_store()
    no_checksum = '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":100.5,"qty":1.0}],"asks":[]}]}'
    assert apply_spot(store, no_checksum) == [ResyncBook("BTC/USD", "book frame without a checksum")]
    assert store.market("BTC/USD").book_state == "resyncing"
    assert store.market("BTC/USD").book.last_ok is False  # type: ignore[union-attr]
    # a snapshot without one does not end the episode either
    snapshot = no_checksum.replace('"update"', '"snapshot"')
    assert apply_spot(store, snapshot, now=1.0 + RESYNC_DEDUP + 1) == [
        ResyncBook("BTC/USD", "book frame without a checksum")
    ]
    assert store.market("BTC/USD").book_state == "resyncing"
    assert store.market("ETH/USD").book_state == "ok"


def test_books_deeper_than_their_checksum_are_refreshed_now_and_then() -> None:
    store, books = ready_store()
    store.market("ETH/USD").book_depth = 25
    snapshot = books.frame("snapshot", "ETH/USD", [("100.0", "1.00000000")], [("100.5", "1.00000000")])
    assert not apply_spot(store, snapshot, now=2.0)
    assert store.market("ETH/USD").verified_levels == 10
    assert store.market("PF_XBTUSD").verified_levels is None, "a sequence vouches for every level"
    symbols = [*SPOT, *FUTURES]
    for s in symbols:
        store.market(s).last_update = 50.0
    assert store.tick(51.0, 30.0, symbols, deep_refresh=60.0) == []
    assert store.tick(63.0, 30.0, symbols, deep_refresh=60.0) == [RefreshBook("ETH/USD")]
    assert store.tick(64.0, 30.0, symbols, deep_refresh=60.0) == [], "asked once, not every second"
    assert store.market("ETH/USD").book_state == "ok" and store.market("ETH/USD").resyncs == 0


def test_an_empty_book_verifies_nothing_and_is_never_ok() -> None:
    """Issue 12.1: an empty mirror book matched its (trivial) checksum and read `verified ✓`."""
    store, books = ready_store()
    assert not apply_spot(store, books.frame("snapshot", "BTC/USD", [], []), now=1.0)
    mk = store.market("BTC/USD")

    def state() -> str:
        return mk.book_state

    assert state() == "empty" and not mk.trusted
    # its first levels arrive as deltas: accepted, and ok once both sides are there
    assert not apply_spot(store, books.frame("update", "BTC/USD", [("100.0", "1.00000000")], []), now=2.0)
    assert state() == "empty"
    assert not apply_spot(store, books.frame("update", "BTC/USD", [], [("100.5", "1.00000000")]), now=3.0)
    assert state() == "ok"
    # emptied again by deltas (a mirror that lost Kraken clears its book): the next tick says so
    apply_spot(store, books.frame("update", "BTC/USD", [("100.0", "0.00000000")], []), now=4.0)
    store.tick(5.0, 30.0, ["BTC/USD"])
    assert state() == "empty"
