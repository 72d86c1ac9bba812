"""``GetApiKeyInfo``: the exchange says what a demo key may do; the app asks at start-up and says it.

The reply is held to the docs' example (docs.kraken.com, "Get API Key Info"): its fields, their
order and types (times and the nonce as strings, ``nonceWindow`` a number).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.app.conftest import app_settings, screen_text, until, urls_of
from tui.app import KrakenApp
from tui.exchange.server import ExchangeConfig, RunningExchange, start_exchange
from tui.feed.signed_rest import KEY_INFO_PATH, check_key, fetch_key_info
from tui.kraken.auth import NonceSource, api_sign

DOCS_FIELDS = [  # the docs' example reply, in its order
    "apiKeyName",
    "apiKey",
    "nonce",
    "nonceWindow",
    "permissions",
    "iban",
    "validUntil",
    "queryFrom",
    "queryTo",
    "createdTime",
    "modifiedTime",
    "ipAllowlist",
    "lastUsed",
]


@pytest.fixture
async def ex() -> AsyncIterator[RunningExchange]:
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, futures_symbols=[]))
    yield ex
    await ex.stop()


async def _post(
    ex: RunningExchange, path: str, body: str, nonce: int, *, json_body: bool = False
) -> dict[str, Any]:
    headers = {
        "API-Key": ex.api_key,
        "API-Sign": api_sign(path, nonce, body, ex.api_secret),
        "Content-Type": "application/json" if json_body else "application/x-www-form-urlencoded",
    }
    async with aiohttp.ClientSession() as s, s.post(ex.url_rest + path, data=body, headers=headers) as r:
        reply: dict[str, Any] = json.loads(await r.text())
    return reply


async def test_key_info_has_the_docs_fields_in_order(ex: RunningExchange) -> None:
    nonce = time.time_ns() // 1000  # µs, as NonceSource counts
    reply = await _post(ex, KEY_INFO_PATH, f"nonce={nonce}", nonce)
    assert reply["error"] == []
    result = reply["result"]
    assert list(result) == DOCS_FIELDS
    assert result["apiKey"] == ex.api_key and result["nonce"] == str(nonce)
    assert result["nonceWindow"] == 0 and result["ipAllowlist"] == []
    for f in ("validUntil", "queryFrom", "queryTo", "createdTime", "modifiedTime", "lastUsed"):
        assert isinstance(result[f], str) and result[f].isdigit(), f
    perms = result["permissions"]
    assert {"query-funds", "modify-trades", "create-ws-token"} <= set(perms)
    assert "withdraw-funds" not in perms  # the demo key cannot move money out
    assert result["iban"][:2] == "AA" and len(result["iban"].split()) == 4


async def test_key_info_takes_a_json_body_as_the_docs_show(ex: RunningExchange) -> None:
    nonce = time.time_ns() // 1000  # µs, as NonceSource counts
    reply = await _post(ex, KEY_INFO_PATH, json.dumps({"nonce": nonce}), nonce, json_body=True)
    assert reply["error"] == [] and reply["result"]["nonce"] == str(nonce)


async def test_key_info_refuses_what_kraken_refuses(ex: RunningExchange) -> None:
    nonce = time.time_ns() // 1000  # µs, as NonceSource counts
    assert (await _post(ex, KEY_INFO_PATH, f"nonce={nonce}", nonce))["error"] == []
    replayed = await _post(ex, KEY_INFO_PATH, f"nonce={nonce}", nonce)
    assert replayed["error"] == ["EAPI:Invalid nonce"]
    headers = {"API-Key": ex.api_key, "API-Sign": "AAAA", "Content-Type": "application/x-www-form-urlencoded"}
    async with aiohttp.ClientSession() as s:
        async with s.post(ex.url_rest + KEY_INFO_PATH, data=f"nonce={nonce + 5}", headers=headers) as r:
            assert json.loads(await r.text())["error"] == ["EAPI:Invalid signature"]
        headers["API-Key"] = "nobody"
        async with s.post(ex.url_rest + KEY_INFO_PATH, data=f"nonce={nonce + 6}", headers=headers) as r:
            assert json.loads(await r.text())["error"] == ["EAPI:Invalid key"]


async def test_a_key_without_websocket_gets_no_token_and_says_so() -> None:
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, futures_symbols=[], api_permissions=("query",)))
    try:
        nonce = time.time_ns() // 1000  # µs, as NonceSource counts
        path = "/0/private/GetWebSocketsToken"
        assert (await _post(ex, path, f"nonce={nonce}", nonce))["error"] == ["EGeneral:Permission denied"]
        async with aiohttp.ClientSession() as s:
            info, why = await fetch_key_info(s, ex.url_rest, ex.api_key, ex.api_secret, NonceSource())
        assert why is None and info is not None
        assert info.can_query and not info.can_trade and not info.can_websocket and not info.can_withdraw
    finally:
        await ex.stop()


async def test_check_key_warns_loudly_in_live_when_the_key_can_withdraw() -> None:
    perms = ("query", "trade", "withdraw", "websocket")
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, futures_symbols=[], api_permissions=perms))
    lines: list[tuple[str, str]] = []
    try:
        async with aiohttp.ClientSession() as s:
            nonce = NonceSource()
            args = (s, ex.url_rest, ex.api_key, ex.api_secret, nonce)
            info = await check_key(*args, live=False, log=lambda lvl, text: lines.append((lvl, text)))
            assert info is not None and info.can_withdraw
            assert [lvl for lvl, _ in lines] == ["warning"]  # DEMO: said, not alarmed
            lines.clear()
            await check_key(*args, live=True, log=lambda lvl, text: lines.append((lvl, text)))
    finally:
        await ex.stop()
    assert lines[0][0] == "error" and "CAN WITHDRAW" in lines[0][1]
    assert "WITHDRAW" in lines[1][1]


async def test_the_app_shows_what_the_key_may_do_at_start_up(ex: RunningExchange) -> None:
    app = KrakenApp(app_settings(), "DEMO", urls=urls_of(ex))
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: any("API key" in e.text for e in app.store.activity))
        (entry,) = [e for e in app.store.activity if "API key" in e.text]
        assert entry.level == "info" and "trade" in entry.text and "no withdrawals" in entry.text
        await pilot.click("#--content-tab-tab-activity")  # the Activity tab, as a user opens it
        await until(pilot, lambda: "no withdrawals" in screen_text(app))


async def test_the_app_in_live_shouts_when_the_key_can_withdraw() -> None:
    perms = ("query", "trade", "withdraw", "websocket")
    ex = await start_exchange(ExchangeConfig(port=0, rate=0, futures_symbols=[], api_permissions=perms))
    try:
        app = KrakenApp(app_settings(), "LIVE", urls=urls_of(ex))  # LIVE's code path, on loopback
        async with app.run_test(size=(160, 45)) as pilot:
            await until(pilot, lambda: any(e.level == "error" for e in app.store.activity))
            errors = [e.text for e in app.store.activity if e.level == "error"]
            assert any("CAN WITHDRAW FUNDS" in t for t in errors), errors
    finally:
        await ex.stop()
