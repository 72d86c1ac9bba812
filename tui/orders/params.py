"""Step six of the guards: the exact request, built only from numbers the earlier steps accepted."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.kraken.instrument import Instrument
from tui.kraken.requests import Conditional, OrderParams
from tui.kraken.vocab import TRIGGERED_TYPES
from tui.orders.model import FormInput
from tui.orders.parse import Parsed

__all__ = ["conditional_close", "expire_time", "request_params"]


def expire_time(now: float, seconds: float) -> str:
    """A GTD expiry as RFC 3339 UTC, to the second (what ``add_order`` takes)."""
    return datetime.fromtimestamp(now + seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def conditional_close(inst: Instrument, parsed: Parsed) -> Conditional | None:
    """The one close Kraken attaches to an entry: the stop-loss when there is a stop (a target
    beside it is not sent), else the target as a resting limit."""
    if parsed.stop_ticks is not None:
        return Conditional("stop-loss", trigger_price=inst.price_decimal(parsed.stop_ticks))
    if parsed.target_ticks is not None:
        return Conditional("limit", limit_price=inst.price_decimal(parsed.target_ticks))
    return None


def request_params(
    form: FormInput, inst: Instrument, parsed: Parsed, *, now: float, cl_ord_id: str | None = None
) -> OrderParams:
    """Raises RequestError when the request itself would break one of the documented exclusions."""
    assert parsed.qty_ticks is not None
    otype = form.order_type
    triggered = otype in TRIGGERED_TYPES
    if otype == "trailing-stop-limit":
        limit = parsed.limit_offset
    else:
        limit = inst.price_decimal(parsed.price_ticks) if parsed.price_ticks is not None else None
    expires = expire_time(now, float(parsed.expire_secs)) if parsed.expire_secs is not None else None
    return OrderParams(
        order_type=otype,
        side=form.side,
        order_qty=inst.qty_decimal(parsed.qty_ticks),
        symbol=inst.symbol,
        limit_price=limit,
        trigger_price=parsed.trigger,
        trigger_reference=form.trigger_reference if triggered else None,
        trigger_price_type="quote" if otype.startswith("trailing") else None,
        time_in_force=form.time_in_force if form.time_in_force != "gtc" else None,
        expire_time=expires,
        post_only=form.post_only,
        reduce_only=form.reduce_only,
        display_qty=parsed.display,
        cl_ord_id=cl_ord_id,
        validate=form.validate,
        conditional=conditional_close(inst, parsed),
    )
