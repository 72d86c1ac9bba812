"""``kraken-tui exchange``: run the embedded Kraken v2 (and Futures v1) exchange until interrupted.

Bad flags are refused before anything listens, in one line: a secret that is not base64 would
otherwise start an exchange on which every client's signature fails. The banner shows the demo
credentials (public, documented) but never a secret the user supplied.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import logging
import resource
import signal
import sys
import time
from decimal import Decimal
from typing import Any

from tui.exchange.control import TOKEN_HEADER
from tui.exchange.faults import parse_faults
from tui.exchange.pairs import DEFAULT_PAIRS, FUTURES_PRODUCTS
from tui.exchange.server import DEMO_KEY, DEMO_SECRET, ExchangeConfig, RunningExchange, start_exchange
from tui.exchange.universe import recorded


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one (default 8765)")
    parser.add_argument(
        "--rate", type=float, help="synthetic book messages per second, all symbols (default 200)"
    )
    parser.add_argument("--seed", type=int, help="seed of the synthetic market")
    parser.add_argument(
        "--pairs",
        nargs="+",
        metavar="SYMBOL",
        help=f"pairs to list (default: {' '.join(DEFAULT_PAIRS)}); any of Kraken's 683 recorded pairs, "
        "or `all` for the whole market (synthetic prices)",
    )
    parser.add_argument(
        "--source",
        choices=("synthetic", "mirror", "replay", "none"),
        default=None,
        help="market source (default synthetic; --mirror-url/--replay-file pick the others)",
    )
    parser.add_argument(
        "--mirror-url", help="follow this v2 public endpoint's book and trades (paper trading)"
    )
    parser.add_argument("--replay-file", help="play back a recording made with --record")
    parser.add_argument(
        "--replay-speed", type=float, default=1.0, help="replay speed factor (0 = as fast as possible)"
    )
    parser.add_argument("--api-key", default=DEMO_KEY, help="API key the exchange accepts")
    parser.add_argument("--api-secret", default=DEMO_SECRET, help="API secret (base64) the exchange accepts")
    parser.add_argument(
        "--no-rate-limits", action="store_true", help="switch off Kraken's trading rate counter"
    )
    parser.add_argument(
        "--futures",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="serve Kraken Futures (PF_XBTUSD, PF_ETHUSD) at /ws/v1 and /derivatives (default on)",
    )
    parser.add_argument(
        "--faults",
        help="fault injection, e.g. corrupt=0.01,drop=0.01,dup=0.01,delay=50,disconnect_every=5,"
        "drop_after=1000,rate_limited=0.05,refuse_for=10",
    )
    parser.add_argument(
        "--control-remote",
        action="store_true",
        help="answer /_control/faults from any address, not only loopback (the token is still required)",
    )
    parser.add_argument(
        "--stats",
        type=float,
        default=0,
        metavar="SECONDS",
        help="print frames/s and CPU every SECONDS (0 = quiet)",
    )


def config_from_args(args: argparse.Namespace, settings: Any) -> ExchangeConfig:
    source = args.source or ("mirror" if args.mirror_url else "replay" if args.replay_file else "synthetic")
    balances = {k: Decimal(v) for k, v in settings.demo.balances.items()} if settings else None
    try:
        faults = parse_faults(args.faults)
    except ValueError as exc:
        raise BadFlag(f"--faults: {exc}") from None
    all_pairs = args.pairs == ["all"]
    cfg = ExchangeConfig(
        host=args.host,
        port=args.port,
        symbols=list(DEFAULT_PAIRS) if all_pairs or not args.pairs else args.pairs,
        all_pairs=all_pairs,
        seed=args.seed if args.seed is not None else (settings.demo.seed if settings else 7),
        rate=args.rate if args.rate is not None else (settings.demo.rate if settings else 200.0),
        api_key=args.api_key,
        api_secret=args.api_secret,
        source=source,
        mirror_url=args.mirror_url or (settings.paper.mirror_url if settings else "wss://ws.kraken.com/v2"),
        replay_file=args.replay_file,
        replay_speed=args.replay_speed,
        faults=faults,
        rate_limits=not args.no_rate_limits,
        futures_symbols=list(FUTURES_PRODUCTS) if getattr(args, "futures", True) else [],
        control_remote=getattr(args, "control_remote", False),
    )
    if balances:
        cfg.balances = balances
    unknown = [s for s in cfg.symbols if s not in DEFAULT_PAIRS and s not in recorded().pairs]
    if unknown:
        raise BadFlag(
            f"unknown pair(s) {', '.join(unknown)}; known: {' '.join(DEFAULT_PAIRS)}, any of Kraken's "
            "recorded pairs (e.g. LTC/USD, ETH/BTC), or all"
        )
    if not _is_base64(cfg.api_secret):
        raise BadFlag("--api-secret is not base64 text (Kraken secrets are; the value is not repeated here)")
    return cfg


class BadFlag(Exception):
    """A flag the exchange cannot start with, phrased for the user."""


def _is_base64(text: str) -> bool:
    try:
        return bool(base64.b64decode("".join(text.split()), validate=True))
    except (binascii.Error, ValueError):
        return False


def banner(ex: RunningExchange, cfg: ExchangeConfig) -> str:
    """The exchange's endpoints and credentials, with a user-supplied secret left out."""
    text = ex.banner()
    if cfg.api_secret != DEMO_SECRET:
        text = text.replace(cfg.api_secret, "(the one given with --api-secret)")
    # the fault-control endpoint wants this token; it is made anew at every start
    return (
        text + f"\nfault control: {ex.url_rest}/_control/faults (header {TOKEN_HEADER}: {ex.control_token})"
    )


async def _serve(cfg: ExchangeConfig, stats_every: float) -> None:
    ex = await start_exchange(cfg)
    print(banner(ex, cfg), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        while not stop.is_set():
            frames0, cpu0, t0 = ex.frames_sent, _cpu(), time.monotonic()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=stats_every or 3600)
            if stats_every:
                dt = time.monotonic() - t0
                print(
                    f"frames/s {int((ex.frames_sent - frames0) / dt)}  cpu {100 * (_cpu() - cpu0) / dt:.0f}%  "
                    f"connections {len(ex.conns)}",
                    flush=True,
                )
    finally:
        await ex.stop()


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run(args: argparse.Namespace, settings: Any) -> int:
    logging.basicConfig(level=logging.WARNING)
    try:
        cfg = config_from_args(args, settings)
    except BadFlag as exc:
        print(f"kraken-tui exchange: {exc}", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(cfg, args.stats))
    return 0
