"""Modes are only different URLs: LIVE talks to Kraken, the others to the embedded exchange.

DEMO runs the synthetic market, PAPER mirrors Kraken's live public feed and matches the user's
orders locally, REPLAY plays a recording back. The app's code path is the same in every mode.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from tui.config import Settings
from tui.feed.endpoints import Urls

if TYPE_CHECKING:
    from tui.exchange.server import RunningExchange

__all__ = ["mode_of", "start_mode"]


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
    elif mode == "PAPER":
        cfg.source = "mirror"
        cfg.mirror_url = settings.paper.mirror_url
        cfg.balances = {k: Decimal(v) for k, v in settings.paper.balances.items()}
    elif mode == "REPLAY":
        cfg.source = "replay"
        cfg.replay_file = str(replay) if replay else None
        cfg.replay_speed = speed
    ex = await start_exchange(cfg)
    urls = Urls(ex.url_public, ex.url_private, ex.url_l3, ex.url_rest, ex.api_key, ex.api_secret)
    if cfg.futures_symbols:
        urls.futures, urls.futures_rest = ex.url_futures, ex.url_futures_rest
        urls.futures_api_key, urls.futures_api_secret = ex.api_key, ex.api_secret
    return ex, urls


def _known_futures(symbols: list[str]) -> list[str]:
    from tui.exchange.pairs import FUTURES_PRODUCTS

    return [s for s in symbols if s in FUTURES_PRODUCTS]


def _known(symbols: list[str]) -> list[str]:
    from tui.exchange.pairs import DEFAULT_PAIRS

    known = [s for s in symbols if s in DEFAULT_PAIRS]
    return known or list(DEFAULT_PAIRS)
