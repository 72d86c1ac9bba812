"""What an embedded exchange is started with: listen address, market source, users, faults."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from decimal import Decimal

from tui.exchange.conn import DEFAULT_SEND_QUEUE_BYTES
from tui.exchange.faults import FaultConfig
from tui.exchange.pairs import DEFAULT_PAIRS, FUTURES_PRODUCTS
from tui.kraken.vocab import SPOT_MAKER_FEE, SPOT_TAKER_FEE

__all__ = ["DEMO_KEY", "DEMO_SECRET", "ExchangeConfig", "default_balances"]

DEMO_KEY = "kraken-tui-demo-key"
DEMO_SECRET = base64.b64encode(b"kraken-tui demo secret: not a real credential!!!").decode()


def default_balances() -> dict[str, Decimal]:
    return {"USD": Decimal(100000), "EUR": Decimal(100000), "BTC": Decimal(1), "ETH": Decimal(10)}


@dataclass
class ExchangeConfig:
    host: str = "127.0.0.1"
    port: int = 0
    symbols: list[str] = field(default_factory=lambda: list(DEFAULT_PAIRS))
    # True: list Kraken's whole recorded spot market (683 pairs; ``symbols`` is then not read)
    all_pairs: bool = False
    seed: int = 7
    rate: float = 200.0  # synthetic book-changing actions per second, all symbols together
    api_key: str = DEMO_KEY
    api_secret: str = DEMO_SECRET
    balances: dict[str, Decimal] = field(default_factory=default_balances)
    source: str = "synthetic"  # synthetic | mirror | replay | none
    mirror_url: str = "wss://ws.kraken.com/v2"
    replay_file: str | None = None
    replay_speed: float = 1.0
    faults: FaultConfig = field(default_factory=FaultConfig)
    heartbeat_interval: float = 1.0
    idle_timeout: float = 60.0
    token_ttl: float = 900.0
    rate_limits: bool = True
    maker_fee: Decimal = SPOT_MAKER_FEE
    taker_fee: Decimal = SPOT_TAKER_FEE
    futures_symbols: list[str] = field(default_factory=lambda: list(FUTURES_PRODUCTS))  # [] disables
    futures_collateral: Decimal = Decimal(50000)  # the demo user's futures USD collateral
    # per connection: frames waiting to be written beyond this drop the client (close 1008)
    send_queue_bytes: int = DEFAULT_SEND_QUEUE_BYTES
    # /_control/faults: its token (None: a random one made at start) and whether peers other
    # than loopback may use it
    control_token: str | None = None
    control_remote: bool = False
