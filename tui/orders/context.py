"""What the guards read from the store for one symbol, gathered in one place.

The order form and the desk's amend path judge an order against the same things (instrument,
local book, balances with open orders' holds, futures margin, how much of the book is verified,
the mode); reading them here keeps both paths on one set of inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tui.book.l2 import L2Book
from tui.config import Guards
from tui.kraken.futures import is_futures
from tui.kraken.instrument import Instrument
from tui.kraken.requests import new_cl_ord_id
from tui.kraken.vocab import CHECKSUM_LEVELS
from tui.orders.guards import build_order
from tui.orders.model import Draft, FormInput
from tui.orders.risk import portfolio_equity
from tui.store import Balance, MarketState, Position, Store

__all__ = ["OrderContext", "account_equity", "draft_in", "order_context", "verified_levels"]


@dataclass(frozen=True, slots=True)
class OrderContext:
    inst: Instrument
    book: L2Book
    balances: dict[str, Balance]
    margin_available: Decimal | None
    verified_levels: int | None
    live: bool
    positions: Mapping[str, Position] | None = None  # futures; None until the feed has sent them
    equity: Decimal | None = None  # in the quote currency (risk as a % of it); None: unknown


def verified_levels(mk: MarketState) -> int | None:
    """How many levels per side the book's integrity check covers; None: all of them.

    Read from the store (``MarketState.verified_levels``) where the feed reports it; until then
    the protocol's facts: a spot book's CRC32 covers its top ``CHECKSUM_LEVELS``, a futures book
    in sequence is whole.
    """
    if hasattr(mk, "verified_levels"):
        v = mk.verified_levels
        return v if isinstance(v, int) else None
    return None if is_futures(mk.symbol) else CHECKSUM_LEVELS


def account_equity(store: Store, inst: Instrument) -> Decimal | None:
    """The account's worth in the instrument's quote currency: futures the margin equity, spot
    every balance at the last trade of its pair in that quote (None if one has no such pair)."""
    if is_futures(inst.symbol):
        margin = store.account.futures_margin
        return margin.margin_equity if margin is not None else None
    prices: dict[str, Decimal] = {}
    for asset in store.account.totals:
        mk = store.markets.get(f"{asset}/{inst.quote}")
        if mk is not None and mk.ticker is not None:
            prices[asset] = mk.ticker.last
    return portfolio_equity(store.account.totals, prices, inst.quote)


def order_context(store: Store, symbol: str) -> OrderContext | None:
    """None until the instrument and the book of ``symbol`` have arrived."""
    mk = store.markets.get(symbol)
    if mk is None or mk.instrument is None or mk.book is None:
        return None
    margin = store.account.futures_margin
    return OrderContext(
        mk.instrument,
        mk.book,
        store.account.balances(store.instruments),
        margin.available_margin if margin is not None else None,
        verified_levels(mk),
        store.mode == "LIVE",
        store.account.positions if store.account.futures_authenticated else None,
        account_equity(store, mk.instrument),
    )


def draft_in(ctx: OrderContext, form: FormInput, guards: Guards, *, live: bool | None = None) -> Draft:
    """``form`` through every guard with every input of ``ctx``: the form, the desk's one-key and
    position actions and a fired alert's staged order judge an order on the same things.
    ``live``: the typed-confirmation rule when the caller relaxes it (an armed, confirmed desk)."""
    return build_order(
        form,
        ctx.inst,
        ctx.book,
        ctx.balances,
        guards,
        live=ctx.live if live is None else live,
        cl_ord_id=new_cl_ord_id(),
        margin_available=ctx.margin_available,
        verified_levels=ctx.verified_levels,
        positions=ctx.positions,
        equity=ctx.equity,
    )
