"""Step one of the guards: what the form's text means, in exact numbers (ticks or Decimal).

Nothing here judges the order; it only reads it. A field that cannot be read gets its message
and comes back as None, so the later steps skip it instead of judging a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from tui.book.l2 import L2Book
from tui.kraken.futures import is_futures
from tui.kraken.instrument import Instrument
from tui.kraken.vocab import (
    FUTURES_MAKER_FEE,
    FUTURES_TAKER_FEE,
    LIMIT_PRICED_TYPES,
    SPOT_MAKER_FEE,
    SPOT_TAKER_FEE,
    TRIGGERED_TYPES,
)
from tui.orders.model import FormInput
from tui.orders.risk import risk_amount, risk_quantity
from tui.store import Balance

__all__ = [
    "FUTURES_INITIAL_MARGIN",
    "Parsed",
    "entry_fee_rate",
    "num",
    "parse_inputs",
    "parse_price",
    "pct_quantity",
]

# The perpetuals' initial margin at Kraken Futures' default 50x leverage.
FUTURES_INITIAL_MARGIN = Decimal("0.02")


@dataclass(frozen=True, slots=True)
class Parsed:
    """The order's numbers; None where the field is absent or could not be read."""

    price_ticks: int | None  # the limit price (None: market, trailing-stop-limit, or unreadable)
    trigger: Decimal | None  # the trigger price, or a trailing stop's distance
    ref_price: int | None  # what quantity and notional are measured at: limit, trigger or the touch
    qty_ticks: int | None
    display: Decimal | None = None
    expire_secs: Decimal | None = None
    limit_offset: Decimal | None = None  # trailing-stop-limit: the limit price offset as typed
    stop_ticks: int | None = None  # a bracket's stop-loss trigger
    target_ticks: int | None = None  # a bracket's take-profit
    risk: Decimal | None = None  # quote currency the stop may lose (the size was derived from it)


def num(text: str) -> Decimal:
    """A finite Decimal from what was typed.

    A comma is refused, never guessed at: ``1,5`` is one and a half to half of Europe and fifteen
    to a parser that drops separators, and ``1,000`` could be either. The same goes for ``_`` and
    spaces inside the number: people type them as thousands separators, and a misplaced one
    silently changes the amount.
    """
    t = text.strip()
    if "," in t:
        raise ValueError("use a point for decimals, no separators (1.5, 1000.5)")
    if "_" in t or " " in t:
        raise ValueError("no thousands separators: digits and a point (1000.5)")
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite():
        raise ValueError("not a number")
    return value


def parse_price(text: str, side: str, book: L2Book, inst: Instrument) -> int:
    """Absolute price, or relative: ``best``, ``mid``, ``bid``, ``ask``, ``+3t``/``-3t`` (ticks from the
    best price on the order's side), ``+0.5%``/``-0.5%`` (from mid). Returns price ticks."""
    t = text.strip().lower()
    if not t:
        raise ValueError("a price is required")
    bid, ask = book.best_bid(), book.best_ask()
    own_best = bid if side == "buy" else ask
    if t in ("best", "join"):
        if own_best is None:
            raise ValueError("no best price on this side of the book")
        return own_best[0]
    if t in ("bid", "ask"):
        lvl = bid if t == "bid" else ask
        if lvl is None:
            raise ValueError(f"no {t} in the book")
        return lvl[0]
    mid = book.mid()
    if t == "mid":
        if mid is None:
            raise ValueError("no mid: the book is one-sided")
        return inst.round_price(mid, up=side == "sell")
    if t.endswith("t") and t[:-1].lstrip("+-").isdigit():
        if own_best is None:
            raise ValueError("no best price to offset from")
        return own_best[0] + int(t[:-1]) * inst.price_increment
    if t.endswith("%"):
        if mid is None:
            raise ValueError("no mid to offset from")
        return inst.round_price(mid * (1 + num(t[:-1]) / 100), up=side == "sell")
    value = num(t)
    try:
        return inst.price_ticks(value)
    except ValueError:
        raise ValueError(
            f"EOrder:Tick size check failed: at most {inst.price_precision} decimals "
            f"(tick {inst.format_price(inst.price_increment)})"
        ) from None


def pct_quantity(
    pct: Decimal,
    side: str,
    inst: Instrument,
    ref_price: int,
    balances: dict[str, Balance],
    margin_available: Decimal | None,
) -> Decimal:
    """``pct`` % of what is available, as a base quantity.

    A spot buy spends quote (leaving room for the taker fee), a spot sell sells base, a futures
    order uses margin (initial margin plus the taker fee per contract).
    """
    price = inst.price_decimal(ref_price)
    if is_futures(inst.symbol):
        margin = margin_available or Decimal(0)
        return margin * pct / 100 / (price * (FUTURES_INITIAL_MARGIN + FUTURES_TAKER_FEE))
    if side == "buy":
        return _available(balances, inst.quote) * pct / 100 / (price * (1 + SPOT_TAKER_FEE))
    return _available(balances, inst.base) * pct / 100


def _available(balances: dict[str, Balance], asset: str) -> Decimal:
    b = balances.get(asset)
    return b.available if b is not None else Decimal(0)


def _qty_ticks(
    form: FormInput,
    inst: Instrument,
    ref_price: int | None,
    balances: dict[str, Balance],
    margin_available: Decimal | None,
) -> int:
    raw = num(form.qty) if form.qty.strip() else None
    if raw is None:
        raise ValueError("a quantity is required")
    if raw <= 0:
        raise ValueError("must be above zero")
    if form.qty_unit == "base":
        try:
            return inst.qty_ticks(raw)
        except ValueError:
            raise ValueError(f"at most {inst.qty_precision} decimals") from None
    if ref_price is None:
        raise ValueError("no price to convert from")
    if form.qty_unit == "quote":
        qty = raw / inst.price_decimal(ref_price)
    else:
        if raw > 100:
            raise ValueError("at most 100%")
        qty = pct_quantity(raw, form.side, inst, ref_price, balances, margin_available)
    return inst.round_qty(qty.quantize(Decimal(1).scaleb(-inst.qty_precision), ROUND_DOWN))


def _trigger(form: FormInput, book: L2Book, inst: Instrument) -> Decimal:
    if not form.trigger.strip():
        raise ValueError(f"{form.order_type} needs a trigger price")
    if form.order_type.startswith("trailing"):
        return abs(num(form.trigger))
    return inst.price_decimal(parse_price(form.trigger, form.side, book, inst))


def _ref_price(
    form: FormInput, price_ticks: int | None, trigger: Decimal | None, book: L2Book, inst: Instrument
) -> int | None:
    if price_ticks is not None:
        return price_ticks
    if trigger is not None and not form.order_type.startswith("trailing"):
        return inst.price_ticks(trigger)
    touch = book.best_ask() if form.side == "buy" else book.best_bid()
    return touch[0] if touch else None


def entry_fee_rate(form: FormInput, price_ticks: int | None, book: L2Book, inst: Instrument) -> Decimal:
    """The fee rate the entry pays: maker when a limit rests, taker when it takes (or is a market)."""
    maker, taker = (
        (FUTURES_MAKER_FEE, FUTURES_TAKER_FEE)
        if is_futures(inst.symbol)
        else (SPOT_MAKER_FEE, SPOT_TAKER_FEE)
    )
    if form.order_type not in LIMIT_PRICED_TYPES or form.order_type in TRIGGERED_TYPES or price_ticks is None:
        return taker
    touch = book.best_ask() if form.side == "buy" else book.best_bid()
    if touch is None:
        return maker
    crosses = price_ticks >= touch[0] if form.side == "buy" else price_ticks <= touch[0]
    return taker if crosses else maker


def _bracket(
    form: FormInput, book: L2Book, inst: Instrument, ref_price: int | None, errors: dict[str, str]
) -> tuple[int | None, int | None]:
    """The stop and target in ticks, each on the side of the entry where it closes the trade."""
    out: list[int | None] = []
    for name in ("stop", "target"):
        text = getattr(form, name)
        ticks = None
        if text.strip():
            try:
                ticks = parse_price(text, form.side, book, inst)
            except ValueError as exc:
                errors[name] = str(exc)
        out.append(ticks)
    stop, target = out
    if ref_price is not None:
        long = form.side == "buy"
        if stop is not None and (stop >= ref_price if long else stop <= ref_price):
            where = "below" if long else "above"
            errors["stop"] = (
                f"a {form.side} entry's stop goes {where} the entry {inst.format_price(ref_price)}"
            )
            stop = None
        if target is not None and (target <= ref_price if long else target >= ref_price):
            where = "above" if long else "below"
            errors["target"] = (
                f"a {form.side} entry's target goes {where} the entry {inst.format_price(ref_price)}"
            )
            target = None
    return stop, target


def _risk_qty_ticks(
    form: FormInput,
    inst: Instrument,
    book: L2Book,
    parsed_price: int | None,
    ref_price: int | None,
    stop: int | None,
    equity: Decimal | None,
    errors: dict[str, str],
) -> tuple[int | None, Decimal | None]:
    """The quantity that loses the typed risk at the stop (fees included), cut to the lot."""
    try:
        risk = risk_amount(num(form.risk), form.risk_unit, equity)
    except ValueError as exc:
        errors["risk"] = str(exc)
        return None, None
    if stop is None:
        errors.setdefault("stop", "sizing from a risk needs a stop")
        return None, risk
    if ref_price is None:
        errors["risk"] = "no entry price to size from"
        return None, risk
    _, taker = (
        (FUTURES_MAKER_FEE, FUTURES_TAKER_FEE)
        if is_futures(inst.symbol)
        else (SPOT_MAKER_FEE, SPOT_TAKER_FEE)
    )
    try:
        qty = risk_quantity(
            risk,
            inst.price_decimal(ref_price),
            inst.price_decimal(stop),
            entry_fee_rate(form, parsed_price, book, inst),
            taker,  # the stop-loss closes with a market order
        )
    except ValueError as exc:
        errors["risk"] = str(exc)
        return None, risk
    return inst.round_qty(qty.quantize(Decimal(1).scaleb(-inst.qty_precision), ROUND_DOWN)), risk


def parse_inputs(
    form: FormInput,
    inst: Instrument,
    book: L2Book,
    balances: dict[str, Balance],
    margin_available: Decimal | None = None,
    *,
    equity: Decimal | None = None,
) -> tuple[Parsed, dict[str, str]]:
    """Read every field; returns the numbers and a message for each field that could not be read.

    ``equity`` (quote currency) is what a risk typed as a % of equity is a % of."""
    errors: dict[str, str] = {}
    otype = form.order_type
    price_ticks: int | None = None
    offset: Decimal | None = None
    try:
        if otype == "trailing-stop-limit":
            offset = num(form.price) if form.price.strip() else Decimal(0)
        elif otype in LIMIT_PRICED_TYPES:
            price_ticks = parse_price(form.price, form.side, book, inst)
    except ValueError as exc:
        errors["price"] = str(exc)
    trigger: Decimal | None = None
    if otype in TRIGGERED_TYPES:
        try:
            trigger = _trigger(form, book, inst)
        except ValueError as exc:
            errors["trigger"] = str(exc)
    ref_price = _ref_price(form, price_ticks, trigger, book, inst)
    stop, target = _bracket(form, book, inst, ref_price, errors)
    qty_ticks: int | None = None
    risk: Decimal | None = None
    if form.risk.strip() and form.qty.strip():
        errors["risk"] = "a quantity or a risk, not both (clear one)"
    elif form.risk.strip():
        qty_ticks, risk = _risk_qty_ticks(form, inst, book, price_ticks, ref_price, stop, equity, errors)
    else:
        try:
            qty_ticks = _qty_ticks(form, inst, ref_price, balances, margin_available)
        except ValueError as exc:
            errors["qty"] = str(exc)
    display: Decimal | None = None
    if otype == "iceberg":
        try:
            display = num(form.display_qty)
        except ValueError:
            errors["display_qty"] = "iceberg orders need a display quantity"
    expire: Decimal | None = None
    if form.time_in_force == "gtd":
        try:
            expire = num(form.expire)
        except ValueError:
            expire = None
        if expire is None or expire <= 0:
            expire = None
            errors["expire"] = "GTD needs an expiry in seconds from now"
    parsed = Parsed(price_ticks, trigger, ref_price, qty_ticks, display, expire, offset, stop, target, risk)
    return parsed, errors
