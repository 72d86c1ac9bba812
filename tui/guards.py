"""Order guards: turn what was typed in an order form into an exact order, or refuse it field by field.

Pure code (no Textual, no sockets): the form shows these messages next to the fields, and nothing
is sent while any remain. The review numbers (notional, fee, distance from mid, average fill and
slippage from walking the local book) come from the same place, so what the user confirms is
what is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from tui.book.l2 import L2Book
from tui.config import Guards
from tui.kraken.futures import is_futures
from tui.kraken.instrument import Instrument
from tui.kraken.requests import LIMIT_PRICED_TYPES, TRIGGERED_TYPES, OrderParams, RequestError
from tui.store import Balance

__all__ = ["Draft", "FormInput", "Review", "build_order", "parse_price"]

MAKER_FEE = Decimal("0.0025")
TAKER_FEE = Decimal("0.0040")
# Kraken Futures' entry tier and the perpetuals' initial margin (50x).
FUTURES_MAKER_FEE = Decimal("0.0002")
FUTURES_TAKER_FEE = Decimal("0.0005")
FUTURES_INITIAL_MARGIN = Decimal("0.02")
FUTURES_ORDER_TYPES = ("limit", "market", "stop-loss", "stop-loss-limit", "take-profit", "take-profit-limit")


@dataclass
class FormInput:
    side: str
    order_type: str = "limit"
    qty: str = ""
    qty_unit: str = "base"  # base | quote | pct (of available balance)
    price: str = ""
    trigger: str = ""
    trigger_reference: str = "last"
    time_in_force: str = "gtc"
    expire: str = ""  # seconds from now, for GTD
    post_only: bool = False
    reduce_only: bool = False
    display_qty: str = ""
    validate: bool = False


@dataclass
class Review:
    side: str
    symbol: str
    order_type: str
    qty: Decimal
    price: Decimal | None
    notional: Decimal
    fee: Decimal
    fee_asset: str
    distance_pct: Decimal | None
    marketable: bool
    avg_fill: Decimal | None = None
    slippage_pct: Decimal | None = None
    unfilled: Decimal = Decimal(0)
    confirm_reasons: list[str] = field(default_factory=list)

    @property
    def needs_typed_confirmation(self) -> bool:
        return bool(self.confirm_reasons)


@dataclass
class Draft:
    errors: dict[str, str]
    params: OrderParams | None = None
    review: Review | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.params is not None


def _num(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "").replace("_", ""))
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
        pct = _num(t[:-1])
        return inst.round_price(mid * (1 + pct / 100), up=side == "sell")
    value = _num(t)
    try:
        return inst.price_ticks(value)
    except ValueError:
        raise ValueError(
            f"EOrder:Tick size check failed: at most {inst.price_precision} decimals "
            f"(tick {inst.format_price(inst.price_increment)})"
        ) from None


def walk_book(book: L2Book, side: str, qty_ticks: int, limit: int | None) -> tuple[int, Decimal, int]:
    """(filled qty ticks, cost in quote, unfilled ticks) for a marketable order on the local book."""
    levels = book.asks(10_000) if side == "buy" else book.bids(10_000)
    need = qty_ticks
    cost = Decimal(0)
    for price, qty in levels:
        if limit is not None and (price > limit if side == "buy" else price < limit):
            break
        take = min(need, qty)
        cost += Decimal(take).scaleb(-book.qty_precision) * Decimal(price).scaleb(-book.price_precision)
        need -= take
        if need == 0:
            break
    return qty_ticks - need, cost, need


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
) -> Draft:
    """``margin_available`` is the futures account's available margin; spot uses ``balances``."""
    errors: dict[str, str] = {}
    side = form.side
    otype = form.order_type
    futures = is_futures(inst.symbol)
    maker_fee, taker_fee = (FUTURES_MAKER_FEE, FUTURES_TAKER_FEE) if futures else (MAKER_FEE, TAKER_FEE)
    if futures:
        if otype not in FUTURES_ORDER_TYPES:
            errors["type"] = f"{otype} orders are not available on Kraken Futures"
        if form.time_in_force == "gtd":
            errors["expire"] = "GTD is not available on Kraken Futures"
    priced = otype in LIMIT_PRICED_TYPES
    triggered = otype in TRIGGERED_TYPES
    mid = book.mid()
    bid, ask = book.best_bid(), book.best_ask()

    price_ticks: int | None = None
    if priced and otype != "trailing-stop-limit":
        try:
            price_ticks = parse_price(form.price, side, book, inst)
            problem = inst.check_price(price_ticks)
            if problem:
                errors["price"] = problem.message
        except ValueError as exc:
            errors["price"] = str(exc)

    trigger: Decimal | None = None
    if triggered:
        if not form.trigger.strip():
            errors["trigger"] = f"{otype} needs a trigger price"
        else:
            try:
                if otype.startswith("trailing"):
                    trigger = abs(_num(form.trigger))
                else:
                    trigger = inst.price_decimal(parse_price(form.trigger, side, book, inst))
            except ValueError as exc:
                errors["trigger"] = str(exc)

    ref_price = price_ticks
    if ref_price is None and trigger is not None and not otype.startswith("trailing"):
        ref_price = inst.price_ticks(trigger)
    if ref_price is None:
        lvl = ask if side == "buy" else bid
        ref_price = lvl[0] if lvl else None

    qty_ticks = 0
    try:
        raw = _num(form.qty) if form.qty.strip() else None
        if raw is None:
            raise ValueError("a quantity is required")
        if raw <= 0:
            raise ValueError("must be above zero")
        if form.qty_unit == "base":
            qty_dec = raw
        elif ref_price is None:
            raise ValueError("no price to convert from")
        elif form.qty_unit == "quote":
            qty_dec = raw / inst.price_decimal(ref_price)
        else:  # pct of available balance
            if raw > 100:
                raise ValueError("at most 100%")
            if futures:
                margin = margin_available or Decimal(0)
                unit = inst.price_decimal(ref_price) * (FUTURES_INITIAL_MARGIN + taker_fee)
                qty_dec = margin * raw / 100 / unit
            elif side == "buy":
                avail = balances.get(inst.quote, Balance(inst.quote, Decimal(0), Decimal(0))).available
                qty_dec = avail * raw / 100 / (inst.price_decimal(ref_price) * (1 + TAKER_FEE))
            else:
                qty_dec = (
                    balances.get(inst.base, Balance(inst.base, Decimal(0), Decimal(0))).available * raw / 100
                )
        if form.qty_unit == "base":
            try:
                qty_ticks = inst.qty_ticks(qty_dec)
            except ValueError:
                raise ValueError(f"at most {inst.qty_precision} decimals") from None
        else:
            qty_ticks = inst.round_qty(qty_dec.quantize(Decimal(1).scaleb(-inst.qty_precision), ROUND_DOWN))
        problem = inst.check_qty(qty_ticks)
        if problem:
            raise ValueError(problem.message)
    except ValueError as exc:
        errors["qty"] = str(exc)

    for check in inst.check_order(
        order_type=otype if otype in ("limit", "market") else "other",
        qty_ticks=max(qty_ticks, inst.qty_min),
        price_ticks=None,
        post_only=form.post_only,
    ):
        if check.field in ("symbol", "type"):
            errors.setdefault("type", check.message)
    if "qty" not in errors and "price" not in errors and price_ticks is not None:
        if inst.notional(qty_ticks, price_ticks) < inst.cost_min:
            errors["qty"] = f"EOrder:Cost minimum not met: at least {inst.cost_min} {inst.quote}"

    display: Decimal | None = None
    if otype == "iceberg":
        try:
            display = _num(form.display_qty)
            if display * 15 < inst.qty_decimal(qty_ticks):
                errors["display_qty"] = "must be at least 1/15 of the quantity"
        except ValueError:
            errors["display_qty"] = "iceberg orders need a display quantity"

    marketable = False
    if otype == "market":
        marketable = True
    elif price_ticks is not None and not triggered:
        marketable = (ask is not None and side == "buy" and price_ticks >= ask[0]) or (
            bid is not None and side == "sell" and price_ticks <= bid[0]
        )
    if form.post_only and marketable and "price" not in errors:
        best = ask if side == "buy" else bid
        assert best is not None
        errors["price"] = (
            f"post-only would cross the book (best {'ask' if side == 'buy' else 'bid'} "
            f"{inst.format_price(best[0])}) and be cancelled"
        )

    if form.time_in_force == "gtd":
        try:
            secs = _num(form.expire)
            if secs <= 0:
                raise ValueError
        except ValueError:
            errors["expire"] = "GTD needs an expiry in seconds from now"

    if errors:
        return Draft(errors)

    qty = inst.qty_decimal(qty_ticks)
    # review numbers
    if marketable:
        filled, cost, unfilled = walk_book(book, side, qty_ticks, price_ticks if otype != "market" else None)
        avg = (cost / inst.qty_decimal(filled)) if filled else None
        best = ask if side == "buy" else bid
        slippage = (
            (avg - inst.price_decimal(best[0]))
            / inst.price_decimal(best[0])
            * 100
            * (1 if side == "buy" else -1)
            if avg is not None and best
            else None
        )
        if price_ticks is not None and unfilled:
            cost += inst.qty_decimal(unfilled) * inst.price_decimal(price_ticks)
        notional = cost
        fee = notional * taker_fee
    else:
        avg = slippage = None
        unfilled = 0
        px = price_ticks if price_ticks is not None else ref_price
        notional = qty * inst.price_decimal(px) if px is not None else Decimal(0)
        fee = notional * (maker_fee if priced else taker_fee)
    price_dec = inst.price_decimal(price_ticks) if price_ticks is not None else None
    distance = None
    if mid and (price_dec is not None or trigger is not None):
        ref = price_dec if price_dec is not None else trigger
        assert ref is not None
        distance = ((ref - mid) / mid * 100).quantize(Decimal("0.01"))

    # funds (futures: initial margin from the margin account, not the spot wallet)
    if futures:
        need = notional * FUTURES_INITIAL_MARGIN + fee
        if margin_available is None and not form.reduce_only:
            return Draft({"qty": "the futures margin account has not loaded yet; nothing was sent"})
        if margin_available is not None and not form.reduce_only and need > margin_available:
            return Draft(
                {
                    "qty": f"insufficientAvailableFunds: needs {need:.2f} {inst.quote} margin, "
                    f"available {margin_available:.2f}"
                }
            )
    elif side == "buy":
        avail = balances.get(inst.quote, Balance(inst.quote, Decimal(0), Decimal(0))).available
        if notional * (1 + TAKER_FEE) > avail:
            return Draft(
                {
                    "qty": f"EOrder:Insufficient funds: needs {notional * (1 + TAKER_FEE):.2f} "
                    f"{inst.quote}, available {avail:.2f}"
                }
            )
    else:
        avail = balances.get(inst.base, Balance(inst.base, Decimal(0), Decimal(0))).available
        if qty > avail:
            return Draft({"qty": f"EOrder:Insufficient funds: needs {qty} {inst.base}, available {avail}"})

    reasons = []
    if notional > guards.max_notional:
        reasons.append(
            f"notional {notional:,.2f} {inst.quote} is above your limit of {guards.max_notional:,}"
        )
    if distance is not None and abs(distance) > guards.max_distance_pct:
        reasons.append(f"price is {distance}% from mid (limit ±{guards.max_distance_pct}%)")
    if live and guards.confirm_live_orders:
        reasons.append("LIVE mode: real money")

    import time as _time

    expire_time = None
    if form.time_in_force == "gtd":
        from datetime import UTC, datetime

        expire_time = datetime.fromtimestamp(_time.time() + float(_num(form.expire)), tz=UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    try:
        params = OrderParams(
            order_type=otype,
            side=side,
            order_qty=qty,
            symbol=inst.symbol,
            limit_price=price_dec
            if otype != "trailing-stop-limit"
            else (_num(form.price) if form.price else Decimal(0)),
            trigger_price=trigger,
            trigger_reference=form.trigger_reference if triggered else None,
            trigger_price_type="quote" if otype.startswith("trailing") else None,
            time_in_force=form.time_in_force if form.time_in_force != "gtc" else None,
            expire_time=expire_time,
            post_only=form.post_only,
            reduce_only=form.reduce_only,
            display_qty=display,
            cl_ord_id=cl_ord_id,
            validate=form.validate,
        )
    except RequestError as exc:
        return Draft({"type": str(exc)})
    review = Review(
        side,
        inst.symbol,
        otype,
        qty,
        price_dec,
        notional.quantize(Decimal("0.01")),
        fee.quantize(Decimal("0.0001")),
        inst.quote,
        distance,
        marketable,
        avg.quantize(Decimal(1).scaleb(-inst.price_precision - 2)) if avg is not None else None,
        slippage.quantize(Decimal("0.001")) if slippage is not None else None,
        inst.qty_decimal(unfilled),
        reasons,
    )
    return Draft({}, params, review)
