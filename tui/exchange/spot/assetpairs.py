"""Kraken's REST names for a v2 pair: the legacy asset codes, the result key, the ``pair=`` filter.

REST still speaks the pre-v2 vocabulary (``XBT`` for BTC, ``XDG`` for DOGE, ``XXBTZUSD`` as the key of
BTC/USD). A client asks ``AssetPairs?pair=BTC/USD`` and looks the answer up under the name it asked
for, so the key depends on the form asked: an exact wsname keys by that name, an altname or canonical
key keys by the canonical key, as the venue does.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["LEGACY_ASSET", "altname", "canonical_key", "legacy_name", "lookup", "rest_asset", "wsname"]

# v2 asset -> Kraken's REST altname of it
LEGACY_ASSET = {"BTC": "XBT", "DOGE": "XDG"}
# assets Kraken lists with an X (crypto) or Z (fiat) prefix in REST, legacy-classic pair keys
_CLASSIC_CRYPTO = {"XBT", "ETH", "XRP", "LTC", "XLM", "ETC", "REP", "XMR", "ZEC", "MLN", "XDG"}
_CLASSIC_FIAT = {"USD", "EUR", "CAD", "GBP", "JPY"}


def legacy_name(asset: str) -> str:
    return LEGACY_ASSET.get(asset, asset)


def rest_asset(asset: str) -> str:
    """``BTC`` -> ``XXBT``, ``USD`` -> ``ZUSD``, ``SOL`` -> ``SOL``; ``DOGE`` -> ``XXDG``."""
    name = legacy_name(asset)
    if name in _CLASSIC_CRYPTO:
        return "X" + name
    if name in _CLASSIC_FIAT:
        return "Z" + name
    return name


def altname(symbol: str) -> str:
    base, quote = symbol.split("/")
    return legacy_name(base) + legacy_name(quote)


def wsname(symbol: str) -> str:
    base, quote = symbol.split("/")
    return f"{legacy_name(base)}/{legacy_name(quote)}"


def canonical_key(symbol: str) -> str:
    """``BTC/USD`` -> ``XXBTZUSD``; ``DOGE/USD`` -> ``XDGUSD``; ``SOL/USD`` -> ``SOLUSD``."""
    base, quote = (legacy_name(a) for a in symbol.split("/"))
    if base in _CLASSIC_CRYPTO and base != "XDG" and (quote in _CLASSIC_FIAT or quote in _CLASSIC_CRYPTO):
        return rest_asset(base) + rest_asset(quote)
    return base + quote


def lookup(symbols: list[str], asked: str) -> tuple[str, str] | None:
    """The (symbol, result key) that one ``pair=`` entry names, or None for an unknown pair.

    Accepted forms: the v2 symbol ``BTC/USD``, the legacy wsname ``XBT/USD``, the altname ``XBTUSD``,
    the v2 altname ``BTCUSD`` and the canonical key ``XXBTZUSD`` (case as Kraken: upper only)."""
    return _names(tuple(symbols)).get(asked)


@lru_cache(maxsize=4)
def _names(symbols: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Every accepted name of every listed pair, made once per listing: asking for all 683 pairs
    by name would otherwise scan the listing 683 times. The first pair to claim a name keeps it."""
    out: dict[str, tuple[str, str]] = {}
    for symbol in symbols:
        for name in (symbol, wsname(symbol)):
            out.setdefault(name, (symbol, name))
    for symbol in symbols:
        for name in (altname(symbol), symbol.replace("/", ""), canonical_key(symbol)):
            out.setdefault(name, (symbol, canonical_key(symbol)))
    return out
