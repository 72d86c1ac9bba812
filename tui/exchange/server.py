"""The embedded Kraken exchange: one aiohttp app speaking WebSocket v2 and the REST bits a client needs.

Paths follow the project convention (protocol reference, top): ``/v2`` public, ``/auth/v2``
private and trading, ``/l3/v2`` level3, REST under ``/0/``; Kraken Futures (``futures.py``) at
``/ws/v1`` and REST v3 under ``/derivatives/api/v3/``. Frames, field names, number
formatting and error strings follow the reference, so a third-party v2 client works unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

import msgspec
from aiohttp import WSMsgType, web

from tui.exchange.engine import Engine
from tui.exchange.events import Execution, L3Changed, Ledger, LevelChanged, PublicTrade
from tui.exchange.faults import FaultConfig
from tui.exchange.feeds import BookFeed, L3Feed, book_checksum_of, l3_checksum_of
from tui.exchange.futures import FuturesGateway
from tui.exchange.market import SyntheticMarket
from tui.exchange.orders import OrderError, OrderRequest
from tui.exchange.pairs import ASSET_PRECISION, DEFAULT_PAIRS, FUTURES_PRODUCTS, START_PRICES, pair_to_wire
from tui.exchange.stats import MarketStats
from tui.kraken.auth import verify_api_sign
from tui.kraken.instrument import Instrument
from tui.kraken.jsontext import dumps
from tui.kraken.rfc3339 import format_rfc3339 as rfc3339
from tui.kraken.vocab import OHLC_INTERVALS as INTERVALS

__all__ = ["ExchangeConfig", "RunningExchange", "start_exchange"]

REQUESTS_KEPT = 10_000

log = logging.getLogger("tui.exchange")

BOOK_DEPTHS = (10, 25, 100, 500, 1000)
L3_DEPTHS = (10, 100, 1000)
PUBLIC_CHANNELS = ("ticker", "book", "trade", "ohlc", "instrument")
PRIVATE_CHANNELS = ("executions", "balances")
TRADING = (
    "add_order",
    "amend_order",
    "edit_order",
    "cancel_order",
    "cancel_all",
    "cancel_all_orders_after",
    "batch_add",
    "batch_cancel",
)
PRIVATE_ERR = "Private data and trading are unavailable on this endpoint. Try ws-auth.kraken.com"
PUBLIC_ERR = "Public market data subscriptions are unavailable on this endpoint. Try ws.kraken.com"
DEMO_KEY = "kraken-tui-demo-key"
DEMO_SECRET = base64.b64encode(b"kraken-tui demo secret: not a real credential!!!").decode()
_decoder = msgspec.json.Decoder(float_hook=str)
GARBAGE = (
    '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":',
    '{"channel":"ticker","type":"update","data":"not-a-list"}',
    '{"channel":"futures_magic","type":"update","data":[]}',
    "[1,2,3]",
)

ADD_FIELDS = {
    "order_type",
    "side",
    "order_qty",
    "symbol",
    "limit_price",
    "limit_price_type",
    "triggers",
    "time_in_force",
    "expire_time",
    "effective_time",
    "deadline",
    "post_only",
    "reduce_only",
    "margin",
    "display_qty",
    "cl_ord_id",
    "order_userref",
    "conditional",
    "fee_preference",
    "stp_type",
    "cash_order_qty",
    "validate",
    "sender_sub_id",
    "no_mpp",
    "token",
    "stop_price",
    "trigger",
}


def default_balances() -> dict[str, Decimal]:
    return {"USD": Decimal(100000), "EUR": Decimal(100000), "BTC": Decimal(1), "ETH": Decimal(10)}


@dataclass
class ExchangeConfig:
    host: str = "127.0.0.1"
    port: int = 0
    symbols: list[str] = field(default_factory=lambda: list(DEFAULT_PAIRS))
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
    maker_fee: Decimal = Decimal("0.0025")
    taker_fee: Decimal = Decimal("0.0040")
    futures_symbols: list[str] = field(default_factory=lambda: list(FUTURES_PRODUCTS))  # [] disables
    futures_collateral: Decimal = Decimal(50000)  # the demo user's futures USD collateral


class _Conn:
    """One client socket: a send queue drained by a writer task, with faults applied on the way."""

    def __init__(self, ex: RunningExchange, ws: web.WebSocketResponse, kind: str) -> None:
        self.ex = ex
        self.ws = ws
        self.kind = kind
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.frames = 0
        self.user: str | None = None
        self.subs: set[tuple[Any, ...]] = set()
        self.seq: dict[str, int] = {}
        self.last_rx = time.monotonic()
        self.last_tx = 0.0
        self.closed = False
        self.next_drop = self._next_disconnect()

    def drop_due(self, now: float) -> bool:
        """Forced-disconnect fault: follows run-time changes of ``disconnect_every``."""
        if self.ex.faults.disconnect_every <= 0:
            self.next_drop = float("inf")
            return False
        if self.next_drop == float("inf"):
            self.next_drop = self._next_disconnect()
        return now >= self.next_drop

    def _next_disconnect(self) -> float:
        f = self.ex.faults
        if f.disconnect_every > 0:
            # uniform around the mean, not exponential: "every N seconds" must not leave a socket
            # untouched for 3N now and then (a hardening run, or a test, would then prove nothing)
            return time.monotonic() + f.rng.uniform(0.5, 1.5) * f.disconnect_every
        return float("inf")

    def send(self, frame: dict[str, Any] | str, *, data: bool = False) -> None:
        if self.closed:
            return
        text = frame if isinstance(frame, str) else dumps(frame)
        f = self.ex.faults
        if data:
            if f.chance(f.malformed):
                self.queue.put_nowait(f.rng.choice(GARBAGE))
            if f.chance(f.drop_frames):
                return
            self.queue.put_nowait(text)
            if f.chance(f.duplicate_frames):
                self.queue.put_nowait(text)
        else:
            self.queue.put_nowait(text)

    async def writer(self) -> None:
        f = self.ex.faults
        while True:
            text = await self.queue.get()
            if text is None or self.ws.closed:
                return
            if f.delay_ms > 0:
                await asyncio.sleep(f.delay_ms / 1000)
            try:
                await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return
            self.frames += 1
            self.last_tx = time.monotonic()
            self.ex.frames_sent += 1
            if (f.drop_after and self.frames >= f.drop_after) or self.drop_due(time.monotonic()):
                await self.close()
                return

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)
            with contextlib.suppress(Exception):
                await self.ws.close()


def _now_iso() -> str:
    return rfc3339(time.time())


class RunningExchange:
    """The started exchange: URLs, demo credentials, the engine, faults, and ``stop()``."""

    def __init__(self, config: ExchangeConfig) -> None:
        self.config = config
        self.faults = config.faults
        self.pairs: dict[str, Instrument] = {s: DEFAULT_PAIRS[s] for s in config.symbols}
        self.futures_pairs: dict[str, Instrument] = {s: FUTURES_PRODUCTS[s] for s in config.futures_symbols}
        self.engine = Engine(
            self.pairs,
            seed=config.seed,
            rate_limits=config.rate_limits,
            maker_fee=config.maker_fee,
            taker_fee=config.taker_fee,
            futures=self.futures_pairs,
        )
        self.stats = {s: MarketStats(p) for s, p in self.pairs.items()}
        self.market: SyntheticMarket | None = None
        self.futures_market: SyntheticMarket | None = None
        self.users: dict[str, tuple[str, str]] = {}  # api key -> (secret, user)
        self.tokens: dict[str, tuple[str, float, bool]] = {}  # token -> (user, issued, used)
        self.nonces: dict[str, int] = {}
        self.conns: set[_Conn] = set()
        self.book_feeds: dict[tuple[str, int], BookFeed] = {}
        self.l3_feeds: dict[tuple[str, int], L3Feed] = {}
        self.frames_sent = 0
        # private requests, newest last, for tests and audits (the last REQUESTS_KEPT at most)
        self.requests_received: list[dict[str, Any]] = []
        self.host = config.host
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._last_bbo: dict[str, tuple[Any, Any]] = {}
        self.futures = FuturesGateway(self, self.futures_pairs) if self.futures_pairs else None
        self.add_user(config.api_key, config.api_secret, "demo", config.balances, config.futures_collateral)

    # --- setup ------------------------------------------------------------------------------------
    def add_user(
        self,
        api_key: str,
        api_secret: str,
        user: str,
        balances: dict[str, Decimal],
        futures_collateral: Decimal = Decimal(0),
    ) -> None:
        self.users[api_key] = (api_secret, user)
        self.engine.open_account(user, balances)
        self.engine.open_futures_account(user, futures_collateral)

    @property
    def url_public(self) -> str:
        return f"ws://{self.host}:{self.port}/v2"

    @property
    def url_private(self) -> str:
        return f"ws://{self.host}:{self.port}/auth/v2"

    @property
    def url_l3(self) -> str:
        return f"ws://{self.host}:{self.port}/l3/v2"

    @property
    def url_rest(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url_futures(self) -> str:
        return f"ws://{self.host}:{self.port}/ws/v1"

    @property
    def url_futures_rest(self) -> str:
        return f"http://{self.host}:{self.port}/derivatives"

    @property
    def api_key(self) -> str:
        return self.config.api_key

    @property
    def api_secret(self) -> str:
        return self.config.api_secret

    def banner(self) -> str:
        return "\n".join(
            [
                f"public: {self.url_public}",
                f"private: {self.url_private}",
                f"level3: {self.url_l3}",
                f"rest: {self.url_rest}",
                f"api key: {self.api_key}",
                f"api secret: {self.api_secret}",
            ]
            + (
                [f"futures: {self.url_futures}", f"futures rest: {self.url_futures_rest}"]
                if self.futures is not None
                else []
            )
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v2", self._ws_public)
        app.router.add_get("/auth/v2", self._ws_private)
        app.router.add_get("/l3/v2", self._ws_l3)
        app.router.add_post("/0/private/GetWebSocketsToken", self._rest_token)
        app.router.add_route("*", "/0/public/Time", self._rest_time)
        app.router.add_route("*", "/0/public/AssetPairs", self._rest_pairs)
        app.router.add_post("/_control/faults", self._control_faults)
        app.router.add_get("/_control/faults", self._control_faults)
        if self.futures is not None:
            self.futures.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        now = time.time()
        for s, st in self.stats.items():
            st.seed_history(now, self.pairs[s].round_price(START_PRICES[s], up=False), self.config.seed)
        if self.futures is not None:
            self.futures.seed(now, self.config.seed)
        if self.config.source != "none" and self.futures_pairs:
            # futures books always run on synthetic participants (own seed: spot runs unchanged)
            self.futures_market = SyntheticMarket(
                self.engine, list(self.futures_pairs), START_PRICES, self.config.seed + 1
            )
            self.engine.drain_events()
        if self.config.source == "synthetic":
            self.market = SyntheticMarket(self.engine, list(self.pairs), START_PRICES, self.config.seed)
            self.engine.drain_events()
            self._tasks.append(asyncio.create_task(self._run_market()))
        elif self.config.source in ("mirror", "replay"):
            from tui.exchange.sources import run_source

            self._tasks.append(asyncio.create_task(run_source(self)))
            if self.futures_market is not None:
                self._tasks.append(asyncio.create_task(self._run_market()))
        self._tasks.append(asyncio.create_task(self._run_clock()))

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        for c in list(self.conns):
            await c.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- time and the market -----------------------------------------------------------------------
    async def _run_market(self) -> None:
        step = 0.02
        next_t = time.monotonic()
        share = len(self.futures_pairs) / max(1, len(self.pairs))  # futures books: the spot per-book rate
        while True:
            next_t += step
            futures_rate = self.config.rate * share
            if self.market is not None:
                self.market.tick(self.config.rate * step, self.publish)
            if self.futures_market is not None:
                self.futures_market.tick(futures_rate * step, self.publish)
            delay = next_t - time.monotonic()
            if delay < -1:
                next_t = time.monotonic()
            await asyncio.sleep(max(0.0, delay))

    async def _run_clock(self) -> None:
        last_hb = time.monotonic()
        while True:
            await asyncio.sleep(0.1)
            self.engine.advance()
            self.publish()
            now = time.monotonic()
            beat = now - last_hb >= self.config.heartbeat_interval
            if beat:
                last_hb = now
                for c in list(self.conns):
                    if c.subs and c.kind != "futures":
                        c.send('{"channel":"heartbeat"}')
            if self.futures is not None:
                self.futures.on_clock(beat)
            for c in list(self.conns):
                if now - c.last_rx > self.config.idle_timeout or c.drop_due(now):
                    await c.close()

    # --- publishing --------------------------------------------------------------------------------
    def publish(self) -> None:
        events = self.engine.drain_events()
        if not events:
            return
        if self.futures is not None:
            events = self.futures.route(events)
        levels: dict[str, dict[str, list[int]]] = {}
        l3: dict[str, list[L3Changed]] = {}
        trades: dict[str, list[PublicTrade]] = {}
        for e in events:
            if isinstance(e, LevelChanged):
                levels.setdefault(e.symbol, {"bid": [], "ask": []})[e.side].append(e.price)
            elif isinstance(e, L3Changed):
                l3.setdefault(e.symbol, []).append(e)
            elif isinstance(e, PublicTrade):
                trades.setdefault(e.symbol, []).append(e)
            elif isinstance(e, Execution):
                self._private(e.user, "executions", [e.report])
            elif isinstance(e, Ledger):
                self._private(e.user, "balances", [e.entry])
        for symbol, changes in levels.items():
            checksum = None
            for (sym, _depth), feed in self.book_feeds.items():
                if sym != symbol or not feed.subscribers:
                    continue
                if checksum is None:
                    checksum = book_checksum_of(self.engine, symbol)
                upd = feed.update(changes, checksum)
                if upd is not None:
                    for c in list(feed.subscribers):
                        self._send_book(c, "update", upd)
            self._bbo_ticker(symbol)
        for symbol, evs in l3.items():
            checksum = None
            for (sym, _depth), l3feed in self.l3_feeds.items():
                if sym != symbol or not l3feed.subscribers:
                    continue
                if checksum is None:
                    checksum = l3_checksum_of(self.engine, symbol)
                upd = l3feed.update(evs, checksum)
                if upd is not None:
                    frame = {"channel": "level3", "type": "update", "data": [upd]}
                    for c in list(l3feed.subscribers):
                        c.send(frame, data=True)
        for symbol, ts in trades.items():
            self._trades(symbol, ts)

    def _send_book(self, c: _Conn, kind: str, entry: dict[str, Any]) -> None:
        f = self.faults
        if f.chance(f.corrupt_checksum):
            entry = {**entry, "checksum": (entry["checksum"] + 1) % 2**32}
        c.send({"channel": "book", "type": kind, "data": [entry]}, data=True)

    def _trades(self, symbol: str, ts: list[PublicTrade]) -> None:
        pair = self.pairs[symbol]
        st = self.stats[symbol]
        candles = {}
        for t in ts:
            for candle in st.on_trade(t.timestamp, t.price, t.qty):
                candles[candle.interval] = candle
        rows = [
            {
                "symbol": symbol,
                "side": t.side,
                "price": pair.price_decimal(t.price),
                "qty": pair.qty_decimal(t.qty),
                "ord_type": t.ord_type,
                "trade_id": t.trade_id,
                "timestamp": rfc3339(t.timestamp),
            }
            for t in ts
        ]
        ticker = None
        for c in list(self.conns):
            if ("trade", symbol) in c.subs:
                c.send({"channel": "trade", "type": "update", "data": rows}, data=True)
            if ("ticker", symbol, "trades") in c.subs:
                ticker = ticker or self._ticker_row(symbol)
                c.send({"channel": "ticker", "type": "update", "data": [ticker]}, data=True)
            for interval, candle in candles.items():
                if ("ohlc", symbol, interval) in c.subs:
                    c.send(
                        {
                            "channel": "ohlc",
                            "type": "update",
                            "timestamp": rfc3339(time.time(), 9),
                            "data": [st.candle_wire(candle)],
                        },
                        data=True,
                    )

    def _ticker_row(self, symbol: str) -> dict[str, Any]:
        bid = self.engine.levels(symbol, "bid", 1)
        ask = self.engine.levels(symbol, "ask", 1)
        row = self.stats[symbol].ticker(bid[0] if bid else None, ask[0] if ask else None)
        row["timestamp"] = _now_iso()
        return row

    def _bbo_ticker(self, symbol: str) -> None:
        subs = [c for c in self.conns if ("ticker", symbol, "bbo") in c.subs]
        if not subs:
            return
        bid = self.engine.levels(symbol, "bid", 1)
        ask = self.engine.levels(symbol, "ask", 1)
        bbo = (bid[0] if bid else None, ask[0] if ask else None)
        if self._last_bbo.get(symbol) == bbo:
            return
        self._last_bbo[symbol] = bbo
        row = self._ticker_row(symbol)
        for c in subs:
            c.send({"channel": "ticker", "type": "update", "data": [row]}, data=True)

    def _private(self, user: str, channel: str, data: list[dict[str, Any]]) -> None:
        for c in list(self.conns):
            if c.user == user and (channel,) in c.subs:
                c.seq[channel] = c.seq.get(channel, 0) + 1
                c.send({"channel": channel, "type": "update", "data": data, "sequence": c.seq[channel]})

    # --- REST -------------------------------------------------------------------------------------
    async def _rest_time(self, request: web.Request) -> web.Response:
        now = time.time()
        return web.json_response(
            {
                "error": [],
                "result": {
                    "unixtime": int(now),
                    "rfc1123": time.strftime("%a, %d %b %y %H:%M:%S +0000", time.gmtime(now)),
                },
            }
        )

    async def _rest_pairs(self, request: web.Request) -> web.Response:
        result = {}
        for s, p in self.pairs.items():
            result[s.replace("/", "")] = {
                "altname": s.replace("/", ""),
                "wsname": s,
                "base": p.base,
                "quote": p.quote,
                "pair_decimals": p.price_precision,
                "lot_decimals": p.qty_precision,
                "cost_decimals": p.cost_precision,
                "ordermin": format(p.qty_decimal(p.qty_min), "f"),
                "costmin": format(p.cost_min, "f"),
                "tick_size": format(p.price_decimal(p.price_increment), "f"),
                "status": p.status,
                "fees": [[0, Decimal("0.40")]],
                "fees_maker": [[0, Decimal("0.25")]],
            }
        return web.Response(text=dumps({"error": [], "result": result}), content_type="application/json")

    async def _rest_token(self, request: web.Request) -> web.Response:
        def err(text: str) -> web.Response:
            return web.json_response({"error": [text]})

        body = await request.text()
        key = request.headers.get("API-Key", "")
        sign = request.headers.get("API-Sign", "")
        if key not in self.users:
            return err("EAPI:Invalid key")
        secret, user = self.users[key]
        if request.content_type == "application/json":
            try:
                nonce_val = msgspec.json.decode(body).get("nonce")
            except (msgspec.DecodeError, AttributeError):
                return err("EGeneral:Invalid arguments")
        else:
            nonce_val = (parse_qs(body).get("nonce") or [""])[0]
        try:
            nonce = int(str(nonce_val))
        except ValueError:
            return err("EAPI:Invalid nonce")
        if not verify_api_sign(request.path, nonce, body, secret, sign):
            return err("EAPI:Invalid signature")
        if nonce <= self.nonces.get(key, 0):
            return err("EAPI:Invalid nonce")
        self.nonces[key] = nonce
        token = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        self.tokens[token] = (user, time.time(), False)
        return web.json_response(
            {"error": [], "result": {"token": token, "expires": int(self.config.token_ttl)}}
        )

    async def _control_faults(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            try:
                self.faults.update(await request.json())
            except (ValueError, TypeError) as exc:
                return web.json_response({"error": str(exc)}, status=400)
        data = {k: v for k, v in self.faults.as_dict().items() if k != "rng"}
        return web.json_response(data)

    # --- WebSocket ----------------------------------------------------------------------------------
    async def _ws_public(self, request: web.Request) -> web.StreamResponse:
        return await self._ws(request, "public")

    async def _ws_private(self, request: web.Request) -> web.StreamResponse:
        return await self._ws(request, "private")

    async def _ws_l3(self, request: web.Request) -> web.StreamResponse:
        return await self._ws(request, "l3")

    async def _ws(self, request: web.Request, kind: str) -> web.StreamResponse:
        if time.time() < self.faults.refuse_until:
            return web.Response(status=503, text="refused by fault injection")
        ws = web.WebSocketResponse(max_msg_size=1 << 20)
        await ws.prepare(request)
        conn = _Conn(self, ws, kind)
        self.conns.add(conn)
        writer = asyncio.create_task(conn.writer())
        conn.send(
            {
                "channel": "status",
                "type": "update",
                "data": [
                    {
                        "version": "2.0.10",
                        "system": "online",
                        "api_version": "v2",
                        "connection_id": secrets.randbits(63) + 2**63 // 2,
                        "upcoming_maintenance": [],
                        "emergency": [],
                    }
                ],
            }
        )
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                conn.last_rx = time.monotonic()
                time_in = _now_iso()
                try:
                    self._handle(conn, msg.data, time_in)
                except Exception:  # a bad request must never take the server down
                    log.exception("request handling failed")
                    conn.send(
                        {
                            "error": "EGeneral:Internal error",
                            "success": False,
                            "time_in": time_in,
                            "time_out": _now_iso(),
                        }
                    )
                self.publish()
        finally:
            self._drop(conn)
            await conn.close()
            writer.cancel()
        return ws

    def _drop(self, conn: _Conn) -> None:
        self.conns.discard(conn)
        feeds: list[BookFeed | L3Feed] = [*self.book_feeds.values(), *self.l3_feeds.values()]
        for feed in feeds:
            feed.subscribers.discard(conn)

    def _reply(
        self,
        conn: _Conn,
        method: str,
        req_id: Any,
        time_in: str,
        *,
        result: Any = None,
        error: str | None = None,
        **extra: Any,
    ) -> None:
        frame: dict[str, Any] = {"method": method}
        if error is None:
            frame["result"] = result
            frame["success"] = True
        else:
            frame["error"] = error
            frame["success"] = False
        frame.update(extra)
        if req_id is not None:
            frame["req_id"] = req_id
        frame["time_in"] = time_in
        frame["time_out"] = _now_iso()
        conn.send(frame)

    def _handle(self, conn: _Conn, text: str, time_in: str) -> None:
        try:
            req = _decoder.decode(text)
        except msgspec.DecodeError:
            conn.send(
                {"error": "Malformed request", "success": False, "time_in": time_in, "time_out": _now_iso()}
            )
            return
        if not isinstance(req, dict) or not isinstance(req.get("method"), str):
            conn.send(
                {"error": "Unsupported event", "success": False, "time_in": time_in, "time_out": _now_iso()}
            )
            return
        method = req["method"]
        req_id = req.get("req_id")
        if req_id is not None and (not isinstance(req_id, int) or isinstance(req_id, bool)):
            self._reply(conn, method, None, time_in, error="Req_id field must be an integer")
            return
        params = req.get("params")
        if method == "ping":
            if "params" in req:
                self._reply(
                    conn,
                    "pong",
                    req_id,
                    time_in,
                    error="Unsupported field: 'params' for the given msg type: ping",
                )
                return
            frame: dict[str, Any] = {"method": "pong"}
            if req_id is not None:
                frame["req_id"] = req_id
            frame.update(time_in=time_in, time_out=_now_iso())
            conn.send(frame)
            return
        if params is not None and not isinstance(params, dict):
            self._reply(conn, method, req_id, time_in, error="Params field must be an object")
            return
        params = params or {}
        if method in ("subscribe", "unsubscribe"):
            self._subscribe(conn, method, params, req_id, time_in)
            return
        if method in TRADING:
            if conn.kind != "private":
                self._reply(conn, method, req_id, time_in, error=PRIVATE_ERR)
                return
            user = self._auth(params.get("token"))
            if user is None:
                self._reply(conn, method, req_id, time_in, error="ESession:Invalid session", status="error")
                return
            conn.user = user
            received = self.requests_received
            received.append({"method": method, "params": {k: v for k, v in params.items() if k != "token"}})
            if len(received) > REQUESTS_KEPT:  # a paper session runs for days: keep the newest
                del received[: len(received) - REQUESTS_KEPT // 2]
            if self.faults.chance(self.faults.rate_limited):
                self._reply(conn, method, req_id, time_in, error="EOrder:Rate limit exceeded")
                return
            self._trade(conn, user, method, params, req_id, time_in)
            return
        self._reply(conn, method, req_id, time_in, error="Unsupported event")

    def _auth(self, token: Any) -> str | None:
        if not isinstance(token, str):
            return None
        entry = self.tokens.get(token)
        if entry is None:
            return None
        user, issued, used = entry
        if not used:
            if time.time() - issued > self.config.token_ttl:
                del self.tokens[token]
                return None
            self.tokens[token] = (user, issued, True)
        return user

    # --- subscriptions -------------------------------------------------------------------------------
    def _subscribe(self, conn: _Conn, method: str, params: dict[str, Any], req_id: Any, time_in: str) -> None:
        channel = params.get("channel")
        sub = method == "subscribe"
        if self.faults.chance(self.faults.rate_limited):
            self._reply(conn, method, req_id, time_in, error="Exceeded msg rate")
            return
        if channel in PRIVATE_CHANNELS:
            if conn.kind != "private":
                self._reply(conn, method, req_id, time_in, error=PRIVATE_ERR)
                return
            user = self._auth(params.get("token"))
            if user is None:
                self._reply(
                    conn,
                    method,
                    req_id,
                    time_in,
                    error="ESession:Invalid session",
                    status="error",
                    channel=channel,
                )
                return
            conn.user = user
            self._private_sub(conn, user, channel, sub, params, req_id, time_in)
            return
        if channel == "level3":
            if conn.kind == "public":
                self._reply(conn, method, req_id, time_in, error=PRIVATE_ERR)
                return
            if self._auth(params.get("token")) is None:
                self._reply(
                    conn,
                    method,
                    req_id,
                    time_in,
                    error="ESession:Invalid session",
                    status="error",
                    channel=channel,
                )
                return
        elif channel in PUBLIC_CHANNELS:
            if conn.kind != "public":
                self._reply(conn, method, req_id, time_in, error=PUBLIC_ERR)
                return
        else:
            self._reply(
                conn,
                method,
                req_id,
                time_in,
                error=f"Channel {channel} is not supported"
                if isinstance(channel, str)
                else "Unsupported event",
            )
            return
        allowed = {
            "channel",
            "symbol",
            "snapshot",
            "req_id",
            "token",
            "depth",
            "interval",
            "event_trigger",
            "include_tokenized_assets",
            "execution_venue",
        }
        for key in params:
            if key not in allowed:
                self._reply(
                    conn,
                    method,
                    req_id,
                    time_in,
                    error=f"Unsupported field: '{key}' for the given msg type: {method}",
                )
                return
        snapshot = params.get("snapshot", channel != "trade")
        if not isinstance(snapshot, bool):
            self._reply(conn, method, req_id, time_in, error="Snapshot field must be a boolean")
            return
        if channel == "instrument":
            ikey: tuple[Any, ...] = ("instrument",)
            if sub:
                if ikey in conn.subs:
                    self._reply(conn, method, req_id, time_in, error="Already subscribed")
                    return
                conn.subs.add(ikey)
                self._reply(
                    conn,
                    method,
                    req_id,
                    time_in,
                    result={
                        "channel": "instrument",
                        "snapshot": snapshot,
                        "warnings": ["tick_size is deprecated, use price_increment"],
                    },
                )
                if snapshot:
                    conn.send(
                        {
                            "channel": "instrument",
                            "type": "snapshot",
                            "data": {
                                "assets": [
                                    {
                                        "id": a,
                                        "status": "enabled",
                                        "precision": prec,
                                        "precision_display": min(prec, 5),
                                        "borrowable": False,
                                        "collateral_value": Decimal("1.00"),
                                        "margin_rate": Decimal("0"),
                                    }
                                    for a, prec in ASSET_PRECISION.items()
                                ],
                                "pairs": [pair_to_wire(p) for p in self.pairs.values()],
                            },
                        }
                    )
            else:
                if ikey not in conn.subs:
                    self._reply(conn, method, req_id, time_in, error="Subscription Not Found")
                    return
                conn.subs.discard(ikey)
                self._reply(conn, method, req_id, time_in, result={"channel": "instrument"})
            return
        symbols = params.get("symbol")
        if not isinstance(symbols, list):
            self._reply(conn, method, req_id, time_in, error="Symbol field must be an array")
            return
        for symbol in symbols:
            self._subscribe_one(conn, method, channel, symbol, params, snapshot, req_id, time_in)

    def _subscribe_one(
        self,
        conn: _Conn,
        method: str,
        channel: str,
        symbol: Any,
        params: dict[str, Any],
        snapshot: bool,
        req_id: Any,
        time_in: str,
    ) -> None:
        sub = method == "subscribe"
        if not isinstance(symbol, str) or symbol not in self.pairs:
            self._reply(
                conn, method, req_id, time_in, error=f"Currency pair not supported {symbol}", symbol=symbol
            )
            return
        result: dict[str, Any] = {"channel": channel, "symbol": symbol}
        if channel == "book" or channel == "level3":
            depth = params.get("depth", 10)
            if depth not in (BOOK_DEPTHS if channel == "book" else L3_DEPTHS):
                self._reply(
                    conn, method, req_id, time_in, error="Subscription depth not supported", symbol=symbol
                )
                return
            key: tuple[Any, ...] = (channel, symbol, depth)
            existing = [k for k in conn.subs if k[:2] == (channel, symbol)]
            result["depth"] = depth
        elif channel == "ohlc":
            interval = params.get("interval", 1)
            if interval not in INTERVALS:
                self._reply(
                    conn,
                    method,
                    req_id,
                    time_in,
                    error="Subscription ohlc interval not supported",
                    symbol=symbol,
                )
                return
            key = ("ohlc", symbol, interval)
            existing = [key] if key in conn.subs else []
            result["interval"] = interval
            result["warnings"] = ["timestamp is deprecated, use interval_begin"]
        elif channel == "ticker":
            trigger = params.get("event_trigger", "trades")
            if trigger not in ("trades", "bbo"):
                self._reply(conn, method, req_id, time_in, error="Event_trigger field must be trades or bbo")
                return
            key = ("ticker", symbol, trigger)
            existing = [k for k in conn.subs if k[:2] == ("ticker", symbol)]
            result["event_trigger"] = trigger
        else:
            key = (channel, symbol)
            existing = [key] if key in conn.subs else []
        if not sub:
            if key not in conn.subs:
                self._reply(conn, "subscribe", req_id, time_in, error="Subscription Not Found", symbol=symbol)
                return
            conn.subs.discard(key)
            if channel == "book":
                self.book_feeds[(symbol, key[2])].subscribers.discard(conn)
            if channel == "level3":
                self.l3_feeds[(symbol, key[2])].subscribers.discard(conn)
            self._reply(conn, method, req_id, time_in, result=result)
            return
        if existing:
            self._reply(conn, method, req_id, time_in, error="Already subscribed", symbol=symbol)
            return
        conn.subs.add(key)
        result["snapshot"] = snapshot
        self._reply(conn, method, req_id, time_in, result=result)
        self.publish()  # bring every feed up to date before a snapshot is cut
        if channel == "book":
            feed = self.book_feeds.get((symbol, key[2]))
            if feed is None:
                feed = self.book_feeds[(symbol, key[2])] = BookFeed(self.engine, self.pairs[symbol], key[2])
            if not feed.subscribers:
                feed.reset()
            feed.subscribers.add(conn)
            if snapshot:
                self._send_book(conn, "snapshot", feed.snapshot(book_checksum_of(self.engine, symbol)))
        elif channel == "level3":
            l3 = self.l3_feeds.get((symbol, key[2]))
            if l3 is None:
                l3 = self.l3_feeds[(symbol, key[2])] = L3Feed(self.engine, self.pairs[symbol], key[2])
            l3.subscribers.add(conn)
            if snapshot:
                snap = l3.snapshot(l3_checksum_of(self.engine, symbol))
                conn.send({"channel": "level3", "type": "snapshot", "data": [snap]})
        elif channel == "ticker" and snapshot:
            conn.send({"channel": "ticker", "type": "snapshot", "data": [self._ticker_row(symbol)]})
        elif channel == "trade" and snapshot:
            pair = self.pairs[symbol]
            rows = [
                {
                    "symbol": symbol,
                    "side": t.side,
                    "price": pair.price_decimal(t.price),
                    "qty": pair.qty_decimal(t.qty),
                    "ord_type": t.ord_type,
                    "trade_id": t.trade_id,
                    "timestamp": rfc3339(t.timestamp),
                }
                for t in self.engine.trades(symbol, 50)
            ]
            conn.send({"channel": "trade", "type": "snapshot", "data": rows})
        elif channel == "ohlc" and snapshot:
            st = self.stats[symbol]
            conn.send(
                {
                    "channel": "ohlc",
                    "type": "snapshot",
                    "timestamp": rfc3339(time.time(), 9),
                    "data": [st.candle_wire(c) for c in list(st.candles[key[2]])[-120:]],
                }
            )

    def _private_sub(
        self,
        conn: _Conn,
        user: str,
        channel: str,
        sub: bool,
        params: dict[str, Any],
        req_id: Any,
        time_in: str,
    ) -> None:
        key = (channel,)
        if not sub:
            if key not in conn.subs:
                self._reply(conn, "subscribe", req_id, time_in, error="Subscription Not Found")
                return
            conn.subs.discard(key)
            self._reply(conn, "unsubscribe", req_id, time_in, result={"channel": channel})
            return
        if key in conn.subs:
            self._reply(conn, "subscribe", req_id, time_in, error="Already subscribed")
            return
        conn.subs.add(key)
        conn.seq[channel] = 0
        if channel == "executions":
            snap_orders = params.get("snap_orders", params.get("snapshot", True))
            snap_trades = params.get("snap_trades", params.get("snapshot_trades", False))
            self._reply(
                conn,
                "subscribe",
                req_id,
                time_in,
                result={
                    "channel": "executions",
                    "maxratecount": 125,
                    "snap_orders": snap_orders,
                    "snap_trades": snap_trades,
                    "snapshot": snap_orders,
                },
            )
            data: list[dict[str, Any]] = []
            if snap_orders:
                data.extend(
                    self.engine.order_fields(o) | {"exec_type": "new"}
                    for o in self.engine.open_orders(user)
                    if o.symbol in self.pairs
                )
            if snap_trades:
                data.extend(self.engine.fills(user, 50))
            conn.seq[channel] = 1
            conn.send({"channel": "executions", "type": "snapshot", "data": data, "sequence": 1})
        else:
            snapshot = params.get("snapshot", True)
            self._reply(
                conn, "subscribe", req_id, time_in, result={"channel": "balances", "snapshot": snapshot}
            )
            if snapshot:
                rows = []
                for asset, (total, _reserved) in self.engine.balances(user).items():
                    t = total.quantize(Decimal(1).scaleb(-ASSET_PRECISION.get(asset, 8)))
                    rows.append(
                        {
                            "asset": asset,
                            "asset_class": "currency",
                            "balance": t,
                            "wallets": [{"type": "spot", "id": "main", "balance": t}],
                        }
                    )
                conn.seq[channel] = 1
                conn.send({"channel": "balances", "type": "snapshot", "data": rows, "sequence": 1})

    # --- trading -------------------------------------------------------------------------------------
    def _trade(
        self, conn: _Conn, user: str, method: str, params: dict[str, Any], req_id: Any, time_in: str
    ) -> None:
        handler: Callable[[str, dict[str, Any]], Any] = getattr(self, f"_m_{method}")
        try:
            results = handler(user, params)
        except OrderError as exc:
            self._reply(conn, method, req_id, time_in, error=exc.text)
            return
        except _ArgError as exc:
            self._reply(conn, method, req_id, time_in, error=str(exc))
            return
        if method == "cancel_order":
            for r in results:
                self._reply(conn, method, req_id, time_in, result=r)
            return
        self._reply(conn, method, req_id, time_in, result=results)

    def _order_request(self, p: dict[str, Any], symbol: str, method: str = "add order") -> OrderRequest:
        for key in p:
            if key not in ADD_FIELDS:
                raise _ArgError(f"Unsupported field: '{key}' for the given msg type: {method}")
        pair = self.pairs.get(symbol)
        if pair is None:
            raise _ArgError(f"Currency pair not supported {symbol}")
        order_type = p.get("order_type")
        side = p.get("side")
        if not isinstance(order_type, str):
            raise _ArgError("Order_type field must be a string")
        if side not in ("buy", "sell"):
            raise _ArgError("Side field must be buy or sell")
        cash = _num(p, "cash_order_qty")
        qty_d = _num(p, "order_qty")
        if qty_d is None and cash is None:
            raise _ArgError("EGeneral:Invalid arguments:order_qty")
        limit = _num(p, "limit_price")
        trig = p.get("triggers")
        trigger_price = trigger_type = None
        reference = "last"
        if trig is not None:
            if not isinstance(trig, dict):
                raise _ArgError("Triggers field must be an object")
            trigger_price = _num(trig, "price", "Triggers.price")
            trigger_type = trig.get("price_type", "static")
            reference = trig.get("reference", "last")
            if reference == "index" and not pair.has_index:
                raise OrderError("EGeneral:Invalid arguments:Index unavailable")
        tif = p.get("time_in_force", "gtc")
        try:
            qty = pair.qty_ticks(qty_d) if qty_d is not None else 0
            limit_ticks = None
            offset = None
            if limit is not None:
                if order_type == "trailing-stop-limit":
                    offset = limit
                else:
                    limit_ticks = pair.price_ticks(limit)
            display = pair.qty_ticks(d) if (d := _num(p, "display_qty")) is not None else None
        except ValueError:
            raise OrderError("EGeneral:Invalid arguments:precision") from None
        return OrderRequest(
            order_type=order_type,
            side=side,
            symbol=symbol,
            qty=qty,
            limit_price=limit_ticks,
            limit_price_type=str(p.get("limit_price_type", "quote" if offset is not None else "static")),
            limit_offset=offset,
            trigger_price=trigger_price,
            trigger_price_type=str(trigger_type or "static"),
            trigger_reference=str(reference),
            time_in_force=str(tif).lower(),
            expire_time=_ts(p.get("expire_time")),
            deadline=_ts(p.get("deadline")),
            post_only=bool(p.get("post_only", False)),
            reduce_only=bool(p.get("reduce_only", False)),
            display_qty=display,
            cl_ord_id=_opt_str(p.get("cl_ord_id")),
            order_userref=p.get("order_userref") if isinstance(p.get("order_userref"), int) else None,
            cash_order_qty=cash,
            validate=bool(p.get("validate", False)),
            stp_type=str(p.get("stp_type", "cancel_newest")),
        )

    def _m_add_order(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        symbol = p.get("symbol")
        if not isinstance(symbol, str):
            raise _ArgError("Symbol field must be a string")
        req = self._order_request(p, symbol)
        o = self.engine.add_order(user, req)
        result: dict[str, Any] = {"order_id": o.order_id}
        if req.cl_ord_id is not None:
            result["cl_ord_id"] = req.cl_ord_id
        if req.order_userref is not None:
            result["order_userref"] = req.order_userref
        return result

    def _m_amend_order(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        allowed = {
            "order_id",
            "cl_ord_id",
            "order_qty",
            "display_qty",
            "limit_price",
            "limit_price_type",
            "post_only",
            "trigger_price",
            "trigger_price_type",
            "deadline",
            "symbol",
            "token",
        }
        for key in p:
            if key not in allowed:
                raise _ArgError(f"Unsupported field: '{key}' for the given msg type: amend order")
        oid, cid = _opt_str(p.get("order_id")), _opt_str(p.get("cl_ord_id"))
        if (oid is None) == (cid is None):
            raise OrderError("EGeneral:Invalid arguments:order_id or cl_ord_id required")
        target = self.engine._find(user, oid, cid)
        if target.symbol not in self.pairs:
            raise OrderError("EOrder:Unknown order")  # a futures order: another venue
        pair = self.pairs[target.symbol]
        try:
            qty = pair.qty_ticks(q) if (q := _num(p, "order_qty")) is not None else None
            price = pair.price_ticks(lp) if (lp := _num(p, "limit_price")) is not None else None
            display = pair.qty_ticks(d) if (d := _num(p, "display_qty")) is not None else None
        except ValueError:
            raise OrderError("EGeneral:Invalid arguments:precision") from None
        amend_id, _ = self.engine.amend_order(
            user,
            order_id=oid,
            cl_ord_id=cid,
            qty=qty,
            limit_price=price,
            display_qty=display,
            trigger_price=_num(p, "trigger_price"),
            post_only=bool(p.get("post_only", False)),
        )
        result: dict[str, Any] = {"amend_id": amend_id}
        if oid:
            result["order_id"] = oid
        if cid:
            result["cl_ord_id"] = cid
        return result

    def _m_edit_order(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        oid = _opt_str(p.get("order_id"))
        symbol = p.get("symbol")
        if oid is None or not isinstance(symbol, str):
            raise OrderError("EGeneral:Invalid arguments:order_id and symbol required")
        pair = self.pairs.get(symbol)
        if pair is None:
            raise _ArgError(f"Currency pair not supported {symbol}")
        try:
            qty = pair.qty_ticks(q) if (q := _num(p, "order_qty")) is not None else None
            price = pair.price_ticks(lp) if (lp := _num(p, "limit_price")) is not None else None
        except ValueError:
            raise OrderError("EGeneral:Invalid arguments:precision") from None
        new, original = self.engine.edit_order(
            user,
            oid,
            qty=qty,
            limit_price=price,
            post_only=p.get("post_only") if isinstance(p.get("post_only"), bool) else None,
            order_userref=p.get("order_userref") if isinstance(p.get("order_userref"), int) else None,
            validate=bool(p.get("validate", False)),
        )
        return {"order_id": new.order_id, "original_order_id": original}

    def _m_cancel_order(self, user: str, p: dict[str, Any]) -> list[dict[str, Any]]:
        ids = p.get("order_id") or []
        cids = p.get("cl_ord_id") or []
        refs = p.get("order_userref") or []
        if not all(isinstance(x, list) for x in (ids, cids, refs)):
            raise _ArgError("Order_id field must be an array")
        if not (ids or cids or refs):
            raise OrderError("EGeneral:Invalid arguments:order_id, cl_ord_id or order_userref required")
        futures = self.engine.futures_orders(user)  # another venue: never cancelled from here
        if futures:
            ids = [i for i in ids if i not in {o.order_id for o in futures}]
            cids = [c for c in cids if c not in {o.cl_ord_id for o in futures}]
        cancelled = self.engine.cancel_orders(user, ids, cids, refs)
        out = []
        for o in cancelled:
            r: dict[str, Any] = {"order_id": o.order_id}
            if o.cl_ord_id and o.cl_ord_id in cids:
                r["cl_ord_id"] = o.cl_ord_id
            out.append(r)
        return out

    def _m_cancel_all(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"count": self.engine.cancel_all(user)}

    def _m_cancel_all_orders_after(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        timeout = p.get("timeout")
        if not isinstance(timeout, int) or isinstance(timeout, bool) or not 0 <= timeout < 86400:
            raise OrderError("EGeneral:Invalid arguments:timeout")
        current, trigger = self.engine.cancel_all_orders_after(user, timeout)
        return {"currentTime": rfc3339(current, 0), "triggerTime": rfc3339(trigger, 0) if timeout else "0"}

    def _m_batch_add(self, user: str, p: dict[str, Any]) -> list[dict[str, Any]]:
        symbol = p.get("symbol")
        orders = p.get("orders")
        if not isinstance(symbol, str) or not isinstance(orders, list):
            raise OrderError("EGeneral:Invalid arguments:symbol and orders required")
        reqs = []
        for o in orders:
            if not isinstance(o, dict):
                raise _ArgError("Orders field must be an array of objects")
            if "symbol" in o:
                raise _ArgError("Unsupported field: 'symbol' for the given msg type: batch add")
            reqs.append(self._order_request(o, symbol, "batch add"))
        placed = self.engine.batch_add(user, symbol, reqs, bool(p.get("validate", False)))
        out = []
        for req, o in zip(reqs, placed, strict=True):
            r: dict[str, Any] = {"order_id": o.order_id}
            if req.cl_ord_id:
                r["cl_ord_id"] = req.cl_ord_id
            if req.order_userref is not None:
                r["order_userref"] = req.order_userref
            out.append(r)
        return out

    def _m_batch_cancel(self, user: str, p: dict[str, Any]) -> dict[str, Any]:
        ids = p.get("orders") or []
        cids = p.get("cl_ord_id") or []
        if not isinstance(ids, list) or not isinstance(cids, list):
            raise _ArgError("Orders field must be an array")
        futures = self.engine.futures_orders(user)  # another venue: never cancelled from here
        fids = {o.order_id for o in futures}
        fcids = {o.cl_ord_id for o in futures}
        ids = [i for i in ids if str(i) not in fids]
        cids = [c for c in cids if str(c) not in fcids]
        return {"count": self.engine.batch_cancel(user, [str(i) for i in ids], [str(c) for c in cids])}


class _ArgError(Exception):
    """A request-shape error answered with the plain v2 error text (no EXxx: prefix)."""


def _opt_str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _num(p: dict[str, Any], key: str, label: str | None = None) -> Decimal | None:
    v = p.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, str | int):
        name = label or key
        raise _ArgError(f"{name[0].upper()}{name[1:]} field must be a number_float")
    try:
        return Decimal(v)
    except InvalidOperation:
        raise _ArgError(f"{(label or key).capitalize()} field must be a number_float") from None


def _ts(v: Any) -> float | None:
    if not isinstance(v, str):
        return None
    from datetime import datetime

    try:
        text = v.replace("Z", "+00:00")
        if "." in text:
            head, rest = text.split(".", 1)
            frac, tz = rest[:-6], rest[-6:]
            text = f"{head}.{frac[:6].ljust(6, '0')}{tz}"
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise OrderError("EGeneral:Invalid arguments:time") from None


async def start_exchange(config: ExchangeConfig | None = None) -> RunningExchange:
    ex = RunningExchange(config or ExchangeConfig())
    await ex.start()
    return ex


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
