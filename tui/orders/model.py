"""What an order is on its way from the form to the desk: typed text, then exact numbers, then a review.

The form fills in a ``FormInput`` (text, as typed); the guards turn it into a ``Draft`` (either
field-by-field refusals, or the exact request and the numbers the user will confirm); the review
screen hands back a ``Reviewed`` order, which is the only thing the desk will send.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal

from tui.kraken.requests import OrderParams

__all__ = ["FIELDS", "Bracket", "Draft", "FormInput", "Review", "Reviewed", "Walk"]

# The form's fields top to bottom: refusals are reported (and the cursor sent) in this order.
FIELDS = ("type", "qty", "price", "trigger", "expire", "display_qty", "stop", "target", "risk")


@dataclass
class FormInput:
    side: str
    order_type: str = "limit"
    qty: str = ""
    qty_unit: str = "base"  # base | quote | pct (of available balance, or of futures margin)
    price: str = ""
    trigger: str = ""
    trigger_reference: str = "last"
    time_in_force: str = "gtc"
    expire: str = ""  # seconds from now, for GTD
    post_only: bool = False
    reduce_only: bool = False
    display_qty: str = ""
    validate: bool = False
    # a bracket (OTO): a stop-loss and/or a take-profit closing what the entry fills
    stop: str = ""
    target: str = ""
    risk: str = ""  # size from a risk instead of a quantity: what the stop may lose
    risk_unit: str = "quote"  # quote (an amount in the quote currency) | pct (of equity)


@dataclass(frozen=True, slots=True)
class Walk:
    """A marketable order walked through the local book: what it would take and from where.

    ``verified_levels``: how many levels per side the book's checksum covers (None: the whole
    book is verified, as a futures book in sequence is).
    """

    filled_ticks: int
    cost: Decimal
    unfilled_ticks: int
    levels: int
    verified_levels: int | None = None

    @property
    def unverified(self) -> int:
        """Levels taken from below the verified top."""
        v = self.verified_levels
        return 0 if v is None else max(0, self.levels - v)

    def describe(self) -> str:
        if self.levels == 0:
            return "no liquidity on the local book"
        noun = "level" if self.levels == 1 else "levels"
        if not self.unverified:
            return f"walked {self.levels} {noun}, all verified"
        return f"walked {self.levels} {noun}, {self.unverified} of them below the verified top {self.verified_levels}"


@dataclass(frozen=True, slots=True)
class Bracket:
    """The close attached to an entry and what it means in money (quote currency, fees in).

    Kraken attaches one close order to an entry (``conditional``): ``sent`` names the leg that
    is sent, the stop when there is one; a target given alongside a stop is not placed and
    serves the reward:risk only (the review says so).
    """

    stop: Decimal | None
    target: Decimal | None
    sent: str  # "stop" | "target"
    loss_at_stop: Decimal | None
    reward_at_target: Decimal | None
    reward_risk: Decimal | None
    risk: Decimal | None = None  # the risk the size was derived from (None: typed quantity)


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
    walk: str | None = None
    bracket: Bracket | None = None

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


@dataclass(frozen=True, slots=True)
class Reviewed:
    """An order the user confirmed on the review screen: exactly what the desk sends.

    ``confirmed_at`` (``time.perf_counter``) is the moment of the key press, so the request log
    measures key-to-acknowledgement, not the screen pops between the key and the send.
    """

    params: OrderParams
    review: Review
    confirmed_at: float = field(default_factory=time.perf_counter)

    @property
    def label(self) -> str:
        r = self.review
        where = f"@ {format(r.price, 'f')}" if r.price is not None else r.order_type
        return (
            "validate " if self.params.validate else ""
        ) + f"{r.side} {format(r.qty, 'f')} {r.symbol} {where}"
