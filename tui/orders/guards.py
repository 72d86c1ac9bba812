"""Order guards: turn what was typed in an order form into an exact order, or refuse it field by field.

Pure code (no Textual, no sockets). ``build_order`` runs the steps in order, and each step is a
function of its own that can be tested alone:

1. ``parse_inputs`` (tui/orders/parse.py): the text as exact numbers;
2. ``instrument_checks``: tick, lot, minimum quantity and cost, pair status, venue-only types;
3. ``crossing_problem``: a post-only order that would take liquidity;
4. ``review_numbers`` (tui/orders/review.py): notional, fee, distance, the walk through the book;
5. ``funds_problem``: what the order needs against what is available (open orders' holds counted);
6. ``fat_finger_reasons``: thresholds that ask for a typed confirmation;
7. ``request_params`` (tui/orders/params.py): the request itself.

The form shows the refusals next to their fields, and nothing is sent while any remain.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from decimal import Decimal

from tui.book.l2 import L2Book
from tui.config import Guards
from tui.kraken.futures import is_futures
from tui.kraken.instrument import Instrument
from tui.kraken.requests import RequestError
from tui.kraken.vocab import FUTURES_ORDER_TYPES, SPOT_TAKER_FEE, TRIGGERED_TYPES
from tui.orders.model import FIELDS, Bracket, Draft, FormInput
from tui.orders.params import request_params
from tui.orders.parse import FUTURES_INITIAL_MARGIN, Parsed, entry_fee_rate, parse_inputs
from tui.orders.review import Numbers, fees_for, review_numbers, to_review
from tui.orders.risk import bracket_outcome
from tui.store import Balance, Position

__all__ = [
    "bracket_numbers",
    "bracket_problems",
    "build_order",
    "crossing_problem",
    "fat_finger_reasons",
    "funds_problem",
    "instrument_checks",
    "is_marketable",
    "position_problem",
]


def instrument_checks(form: FormInput, inst: Instrument, parsed: Parsed) -> dict[str, str]:
    """What the instrument (and its venue) refuses, for every field that could be read."""
    errors: dict[str, str] = {}
    otype = form.order_type
    if is_futures(inst.symbol):
        if otype not in FUTURES_ORDER_TYPES:
            errors["type"] = f"{otype} orders are not available on Kraken Futures"
        if form.time_in_force == "gtd":
            errors["expire"] = "GTD is not available on Kraken Futures"
    price, qty = parsed.price_ticks, parsed.qty_ticks
    if price is not None and (p := inst.check_price(price)):
        errors["price"] = p.message
    if qty is not None and (q := inst.check_qty(qty)):
        errors["qty"] = q.message
    for check in inst.check_order(
        order_type=otype if otype in ("limit", "market") else "other",
        qty_ticks=max(qty or 0, inst.qty_min),
        price_ticks=None,
        post_only=form.post_only,
    ):
        if check.field in ("symbol", "type"):
            errors.setdefault("type", check.message)
    if price is not None and qty is not None and not {"qty", "price"} & errors.keys():
        if inst.notional(qty, price) < inst.cost_min:
            errors["qty"] = f"EOrder:Cost minimum not met: at least {inst.cost_min} {inst.quote}"
    if parsed.display is not None and qty is not None and parsed.display * 15 < inst.qty_decimal(qty):
        errors["display_qty"] = "must be at least 1/15 of the quantity"
    return errors


def bracket_problems(form: FormInput, inst: Instrument) -> dict[str, str]:
    """Where an attached close cannot go: Kraken attaches one (``conditional``) to a spot
    add_order only, and this form attaches it to a limit or market entry."""
    if not (form.stop.strip() or form.target.strip()):
        return {}
    field = "stop" if form.stop.strip() else "target"
    if is_futures(inst.symbol):
        return {field: "Kraken Futures attach no close order to an entry (conditional is spot only)"}
    if form.order_type not in ("limit", "market"):
        return {"type": "a stop or target attaches to a limit or market entry"}
    return {}


def bracket_numbers(
    form: FormInput, inst: Instrument, book: L2Book, parsed: Parsed, numbers: Numbers
) -> Bracket | None:
    """Loss at the stop and gain at the target for the quantity entered, fees included: the
    entry at its limit (a marketable one at its average fill on the book), out by the stop's
    market order (taker) or the target's resting limit (maker)."""
    if parsed.stop_ticks is None and parsed.target_ticks is None:
        return None
    assert parsed.qty_ticks is not None
    at = parsed.price_ticks if parsed.price_ticks is not None else parsed.ref_price
    entry = numbers.avg_fill if numbers.avg_fill is not None else (inst.price_decimal(at) if at else None)
    stop = inst.price_decimal(parsed.stop_ticks) if parsed.stop_ticks is not None else None
    target = inst.price_decimal(parsed.target_ticks) if parsed.target_ticks is not None else None
    maker, taker = fees_for(inst.symbol)
    out = None
    if entry is not None:
        out = bracket_outcome(
            form.side,
            inst.qty_decimal(parsed.qty_ticks),
            entry,
            stop,
            target,
            entry_fee=entry_fee_rate(form, parsed.price_ticks, book, inst),
            stop_fee=taker,
            target_fee=maker,
        )
    cent = Decimal("0.01")
    loss = out.loss_at_stop.quantize(cent) if out and out.loss_at_stop is not None else None
    reward = out.reward_at_target.quantize(cent) if out and out.reward_at_target is not None else None
    rr = out.reward_risk.quantize(cent) if out and out.reward_risk is not None else None
    return Bracket(stop, target, "stop" if stop is not None else "target", loss, reward, rr, parsed.risk)


def is_marketable(order_type: str, side: str, price_ticks: int | None, book: L2Book) -> bool:
    """Would it take liquidity now? Market orders always; a limit at or through the touch."""
    if order_type == "market":
        return True
    if price_ticks is None or order_type in TRIGGERED_TYPES:
        return False
    if side == "buy":
        ask = book.best_ask()
        return ask is not None and price_ticks >= ask[0]
    bid = book.best_bid()
    return bid is not None and price_ticks <= bid[0]


def crossing_problem(form: FormInput, marketable: bool, book: L2Book, inst: Instrument) -> str | None:
    """A post-only order that would cross is cancelled by the exchange: refuse it here instead."""
    if not (form.post_only and marketable):
        return None
    name = "ask" if form.side == "buy" else "bid"
    touch = book.best_ask() if form.side == "buy" else book.best_bid()
    best = f" (best {name} {inst.format_price(touch[0])})" if touch else ""
    return f"post-only would cross the book{best} and be cancelled"


def funds_problem(
    form: FormInput,
    inst: Instrument,
    qty: Decimal,
    numbers: Numbers,
    balances: dict[str, Balance],
    margin_available: Decimal | None,
    *,
    reserve_price: Decimal | None = None,
) -> str | None:
    """Spot: the wallet's available balance (total less what open orders hold); futures: margin.

    A spot buy is charged what the exchange holds when it accepts the order: the whole quantity
    at the limit price (or the trigger, or the touch: ``reserve_price``) plus the taker fee, not
    the cheaper average fill of the local book. A marketable limit far through the book is
    refused here (``EOrder:Insufficient funds`` is what Kraken would answer) instead of after a
    round trip.
    """
    if is_futures(inst.symbol):
        if form.reduce_only:
            return None
        if margin_available is None:
            return "the futures margin account has not loaded yet; nothing was sent"
        need = numbers.notional * FUTURES_INITIAL_MARGIN + numbers.fee
        if need > margin_available:
            return (
                f"insufficientAvailableFunds: needs {need:.2f} {inst.quote} margin, "
                f"available {margin_available:.2f}"
            )
        return None
    asset = inst.quote if form.side == "buy" else inst.base
    b = balances.get(asset)
    avail = b.available if b is not None else Decimal(0)
    if form.side == "buy":
        held = qty * reserve_price if reserve_price is not None else numbers.notional
        need = max(numbers.notional, held) * (1 + SPOT_TAKER_FEE)
        if need > avail:
            return f"EOrder:Insufficient funds: needs {need:.2f} {asset}, available {avail:.2f}"
    elif qty > avail:
        return f"EOrder:Insufficient funds: needs {format(qty, 'f')} {asset}, available {format(avail, 'f')}"
    return None


def position_problem(
    form: FormInput, inst: Instrument, qty: Decimal, positions: Mapping[str, Position] | None
) -> str | None:
    """Reduce-only and settle-position need a position to reduce: caught here with the reason
    instead of the exchange's bare ``wouldNotReducePosition``.

    Spot here has no margin account, so no position: neither can succeed. A futures reduce-only
    order must be against the position's side and no larger than it (the exchange refuses the
    whole order otherwise).
    """
    settle = form.order_type == "settle-position"
    if not (form.reduce_only or settle):
        return None
    if not is_futures(inst.symbol):
        what = "settle-position" if settle else "reduce-only"
        return f"{what} needs a margin position; spot trading here has none (EOrder:Reduce only:No position exists)"
    if positions is None:
        return "the futures positions have not loaded yet; nothing was sent"
    pos = positions.get(inst.symbol)
    size = pos.size if pos is not None else Decimal(0)
    if size == 0:
        return f"reduce-only would not reduce: no {inst.symbol} position (wouldNotReducePosition)"
    if (size > 0) == (form.side == "buy"):
        side = "long" if size > 0 else "short"
        return f"reduce-only would not reduce: the position is {side} {abs(size)}; a {form.side} adds to it"
    if qty > abs(size):
        return f"reduce-only would not reduce: {qty} is more than the {abs(size)} position"
    return None


def fat_finger_reasons(numbers: Numbers, quote: str, guards: Guards, *, live: bool) -> list[str]:
    """Each threshold crossed: the review then asks for the side to be typed before sending."""
    reasons = []
    if numbers.notional > guards.max_notional:
        reasons.append(
            f"notional {numbers.notional:,.2f} {quote} is above your limit of {guards.max_notional:,}"
        )
    d = numbers.distance_pct
    if d is not None and abs(d) > guards.max_distance_pct:
        reasons.append(f"price is {d}% from mid (limit ±{guards.max_distance_pct}%)")
    if live and guards.confirm_live_orders:
        reasons.append("LIVE mode: real money")
    return reasons


def build_order(
    form: FormInput,
    inst: Instrument,
    book: L2Book,
    balances: dict[str, Balance],
    guards: Guards,
    *,
    live: bool = False,
    cl_ord_id: str | None = None,
    margin_available: Decimal | None = None,
    verified_levels: int | None = None,
    positions: Mapping[str, Position] | None = None,
    equity: Decimal | None = None,
    clock: Callable[[], float] = time.time,
) -> Draft:
    """``margin_available`` is the futures account's available margin; spot uses ``balances``;
    ``positions``: the futures positions (reduce-only is judged against them).
    ``verified_levels``: how many levels per side the book's checksum covers (None: all).
    ``equity``: the account's worth in the quote currency (a risk typed as % of it)."""
    parsed, errors = parse_inputs(form, inst, book, balances, margin_available, equity=equity)
    for f, message in {**instrument_checks(form, inst, parsed), **bracket_problems(form, inst)}.items():
        errors.setdefault(f, message)
    marketable = is_marketable(form.order_type, form.side, parsed.price_ticks, book)
    crossing = crossing_problem(form, marketable, book, inst)
    if crossing is not None and "price" not in errors:
        errors["price"] = crossing
    if errors:
        return Draft({f: errors[f] for f in FIELDS if f in errors})
    assert parsed.qty_ticks is not None
    numbers = review_numbers(form.order_type, form.side, inst, book, parsed, marketable, verified_levels)
    qty = inst.qty_decimal(parsed.qty_ticks)
    at = parsed.price_ticks if parsed.price_ticks is not None else parsed.ref_price
    reserve = inst.price_decimal(at) if at is not None else None
    problem = position_problem(form, inst, qty, positions) or funds_problem(
        form, inst, qty, numbers, balances, margin_available, reserve_price=reserve
    )
    if problem is not None:
        return Draft({"qty": problem})
    reasons = fat_finger_reasons(numbers, inst.quote, guards, live=live)
    try:
        params = request_params(form, inst, parsed, now=clock(), cl_ord_id=cl_ord_id)
    except RequestError as exc:
        return Draft({"type": str(exc)})
    review = to_review(form.order_type, form.side, inst, parsed, numbers, reasons)
    review.bracket = bracket_numbers(form, inst, book, parsed, numbers)
    return Draft({}, params, review)
