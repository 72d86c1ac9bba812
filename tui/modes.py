"""Modes are only different URLs: LIVE talks to Kraken, the others to the embedded exchange.

DEMO runs the synthetic market, PAPER mirrors Kraken's live public feed and matches the user's
orders locally, REPLAY plays a recording back. The app's code path is the same in every mode.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tui.config import Settings
from tui.feed.endpoints import Urls
from tui.feed.replay_control import ReplayControl
from tui.store import Store

if TYPE_CHECKING:
    from tui.exchange.server import RunningExchange
    from tui.exchange.source_state import SourceState

__all__ = ["attach_exchange", "check_files", "exchange_urls", "mode_of", "start_mode"]


class _Wired(Protocol):
    """What ``attach_exchange`` hands the exchange's state and controls to (the desk)."""

    store: Store
    replay: ReplayControl | None


def mode_of(args: argparse.Namespace) -> str:
    if getattr(args, "demo", False):
        return "DEMO"
    if getattr(args, "paper", False):
        return "PAPER"
    if getattr(args, "replay", None):
        return "REPLAY"
    return "LIVE"


async def start_mode(
    settings: Settings, mode: str, *, replay: Path | None = None, speed: float = 1.0
) -> tuple[RunningExchange | None, Urls | None]:
    if mode == "LIVE":
        return None, None
    from tui.exchange.server import ExchangeConfig, start_exchange

    symbols = [s for s in settings.symbols]
    cfg = ExchangeConfig(port=0, seed=settings.demo.seed, rate=settings.demo.rate, symbols=_known(symbols))
    # Futures on the embedded exchange are synthetic: shown in DEMO only, never next to mirrored
    # (PAPER) or recorded (REPLAY) spot prices where they would pass for real ones.
    cfg.futures_symbols = _known_futures(settings.futures_symbols) if mode == "DEMO" else []
    if mode == "DEMO":
        cfg.balances = {k: Decimal(v) for k, v in settings.demo.balances.items()}
        # any of Kraken's recorded pairs may be listed here, or all of them (``[demo] pairs``)
        extra = settings.demo.pairs
        cfg.all_pairs = extra == "all"
        cfg.symbols = _known([*symbols, *(extra if isinstance(extra, list) else [])], recorded=True)
    elif mode == "PAPER":
        cfg.source = "mirror"
        cfg.mirror_url = settings.paper.mirror_url
        cfg.balances = {k: Decimal(v) for k, v in settings.paper.balances.items()}
    elif mode == "REPLAY":
        cfg.source = "replay"
        cfg.replay_file = str(replay) if replay else None
        cfg.replay_speed = speed
    ex = await start_exchange(cfg)
    return ex, exchange_urls(ex)


def exchange_urls(ex: RunningExchange) -> Urls:
    """Where a client finds an embedded exchange, with its demo credentials (futures too, when
    it serves them): the app, the benchmarks and the tests connect through this one mapping."""
    urls = Urls(ex.url_public, ex.url_private, ex.url_l3, ex.url_rest, ex.api_key, ex.api_secret)
    if ex.futures is not None:
        urls.futures, urls.futures_rest = ex.url_futures, ex.url_futures_rest
        urls.futures_api_key, urls.futures_api_secret = ex.api_key, ex.api_secret
    return urls


def attach_exchange(ex: RunningExchange | None, desk: _Wired) -> None:
    """PAPER / REPLAY: the mirror's or the recording's state goes into the store as it changes
    (the store never imports the exchange), and the replay controls to the desk for the keys."""
    source = getattr(ex, "source", None)
    if source is None:
        return
    store = desk.store

    def copy(s: SourceState) -> None:
        store.set_source(s.kind, s.state, s.text, s.position, s.duration, s.speed)

    source.state.listeners.append(copy)
    copy(source.state)
    desk.replay = source.replay


def check_files(args: argparse.Namespace) -> str | None:
    """``--replay`` and ``--record`` checked before anything starts: one line naming the file
    and the reason, or None. A dead or fake feed at startup would hide what is wrong."""
    from tui.exchange.replay import RecordingError, load_recording

    replay = getattr(args, "replay", None)
    if replay is not None:
        try:
            load_recording(replay)
        except RecordingError as exc:
            return f"kraken-tui: --replay {replay}: {exc}"
    record = getattr(args, "record", None)
    if record is not None:
        path = Path(record)
        if path.is_dir():
            return f"kraken-tui: --record {record}: is a directory"
        try:
            with path.open("ab"):
                pass
        except OSError as exc:
            return f"kraken-tui: --record {record}: cannot be written ({exc.strerror or exc})"
    return None


def _known_futures(symbols: list[str]) -> list[str]:
    from tui.exchange.pairs import FUTURES_PRODUCTS

    return [s for s in symbols if s in FUTURES_PRODUCTS]


def _known(symbols: list[str], *, recorded: bool = False) -> list[str]:
    """The symbols the exchange can list (the default pairs; with ``recorded``, any of Kraken's
    recorded ones too), in order, once each; the default pairs when none is."""
    from tui.exchange.pairs import DEFAULT_PAIRS

    def listable(s: str) -> bool:
        if s in DEFAULT_PAIRS:
            return True
        if not recorded:
            return False
        from tui.exchange.universe import recorded as universe

        return s in universe().pairs

    known = list(dict.fromkeys(s for s in symbols if listable(s)))
    return known or list(DEFAULT_PAIRS)
