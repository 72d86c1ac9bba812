"""Kraken Futures REST v3 under ``/derivatives/api/v3/``: signing, dispatch, account queries, instruments.

Private endpoints take form-encoded POST bodies (GET: the query string) signed with ``APIKey`` /
``Authent`` / ``Nonce``; the signed path is ``/api/v3/<endpoint>`` (no ``/derivatives``). Every
answer is HTTP 200 with a JSON body; failures are
``{"result":"error","error":"authenticationError"|"nonceBelowThreshold"|"invalidArgument: <name>"}``.
A missing ``Nonce`` header is accepted (signed as the empty string) and not sequence-checked.

``triggerSignal`` (mark | index | last) chooses the price a stop's trigger watches: the mark
(the product's mid), the index (the spot pair's mid) or the last trade.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from tui.exchange.futures.account import flex, ticker
from tui.exchange.futures.entry import ArgError, FuturesEntry, code_of
from tui.exchange.futures.rows import instrument_row, iso
from tui.exchange.futures.state import FuturesVenue
from tui.kraken.auth import verify_futures_authent
from tui.kraken.jsontext import dumps

__all__ = ["PREFIX", "FuturesRest"]

PREFIX = "/derivatives/api/v3/"
Endpoint = Callable[[str, dict[str, str], float], dict[str, Any]]


def _json(data: dict[str, Any]) -> web.Response:
    return web.Response(text=dumps(data), content_type="application/json")


def _error(error: str) -> web.Response:
    return _json({"result": "error", "error": error, "serverTime": iso(time.time())})


def _ok(**data: Any) -> web.Response:
    return _json({"result": "success", **data, "serverTime": iso(time.time())})


class FuturesRest:
    def __init__(self, venue: FuturesVenue) -> None:
        self.venue = venue
        self.ctx = venue.ctx
        self.engine = venue.engine
        self.products = venue.products
        self.nonces: dict[str, int] = {}
        entry = FuturesEntry(venue)
        self.endpoints: dict[str, Endpoint] = {
            "sendorder": entry.sendorder,
            "editorder": entry.editorder,
            "cancelorder": entry.cancelorder,
            "cancelallorders": entry.cancelallorders,
            "cancelallordersafter": entry.cancelallordersafter,
            "openorders": self._openorders,
            "openpositions": self._openpositions,
            "accounts": self._accounts,
        }

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        for name in ("sendorder", "editorder", "cancelorder", "cancelallorders", "cancelallordersafter"):
            r.add_post(PREFIX + name, self._private)
        for name in ("openorders", "openpositions", "accounts"):
            r.add_get(PREFIX + name, self._private)
        r.add_get(PREFIX + "instruments", self._instruments)
        r.add_get(PREFIX + "tickers", self._tickers)

    async def _private(self, request: web.Request) -> web.Response:
        endpoint = request.path.removeprefix(PREFIX)
        post_data = await request.text() if request.method == "POST" else request.rel_url.raw_query_string
        key = request.headers.get("APIKey", "")
        authent = request.headers.get("Authent", "")
        nonce = request.headers.get("Nonce", "")
        entry = self.ctx.credentials.lookup(key)
        if entry is None:
            return _error("authenticationError")
        secret, user = entry
        if not verify_futures_authent(post_data, nonce, "/api/v3/" + endpoint, secret, authent):
            return _error("authenticationError")
        if nonce:
            try:
                n = int(nonce)
            except ValueError:
                return _error("invalidArgument: nonce")
            if n <= self.nonces.get(key, 0):
                return _error("nonceBelowThreshold")
            self.nonces[key] = n
        params = {k: v[0] for k, v in parse_qs(post_data, keep_blank_values=True).items()}
        received = time.time()
        try:
            result = self.endpoints[endpoint](user, params, received)
        except ArgError as exc:
            return _error(f"invalidArgument: {exc}")
        finally:
            self.ctx.publish()
        return _ok(**result)

    # --- queries ----------------------------------------------------------------------------------
    def _openorders(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        rows = []
        for o in self.engine.futures_orders(user):
            pair = self.products[o.symbol]
            stop = o.trigger_price is not None and code_of(o) in ("stp", "take_profit")
            rows.append(
                {
                    "order_id": o.order_id,
                    "cliOrdId": o.cl_ord_id,
                    "symbol": o.symbol,
                    "side": o.side,
                    "orderType": code_of(o),
                    "limitPrice": pair.price_decimal(o.limit_price) if o.limit_price is not None else None,
                    "stopPrice": pair.price_decimal(o.trigger_price)
                    if stop and o.trigger_price is not None
                    else None,
                    "unfilledSize": pair.qty_decimal(o.remaining),
                    "filledSize": pair.qty_decimal(o.filled),
                    "receivedTime": iso(o.created),
                    "lastUpdateTime": iso(o.updated or o.created),
                    "status": "partiallyFilled" if o.filled else "untouched",
                    "reduceOnly": o.reduce_only,
                }
            )
            if stop:  # the price the stop watches, in the request's words (mark | index | last)
                rows[-1]["triggerSignal"] = o.trigger_reference
        return {"openOrders": rows}

    def _openpositions(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        rows = []
        for s, pos in self.engine.ledger.open_positions(user).items():
            q = pos.qty
            rows.append(
                {
                    "side": "long" if q > 0 else "short",
                    "symbol": s,
                    "price": pos.entry_price,
                    "fillTime": iso(pos.last_fill),
                    "size": abs(q),
                    "unrealizedFunding": 0,
                }
            )
        return {"openPositions": rows}

    def _accounts(self, user: str, p: dict[str, str], received: float) -> dict[str, Any]:
        return {"accounts": {"flex": {"type": "multiCollateralMarginAccount", **flex(self.engine, user)}}}

    async def _instruments(self, request: web.Request) -> web.Response:
        return _ok(instruments=[instrument_row(p) for p in self.products.values()])

    async def _tickers(self, request: web.Request) -> web.Response:
        rows = []
        for s, pair in self.products.items():
            row = ticker(self.engine, self.venue.stats[s], pair)
            row.pop("feed", None)
            rows.append({"symbol": s, **row})
        return _ok(tickers=rows)
