"""Market, account and health state: written by ``Store.apply`` (the sessions), read by the screens."""

from tui.store.model import (
    AccountState,
    ActivityEntry,
    Balance,
    ConnectionHealth,
    Health,
    MarketState,
    OrderView,
    SourceHealth,
)
from tui.store.outcomes import (
    AuthFailed,
    OrdersSeen,
    Outcome,
    RefreshBook,
    ResyncBook,
    ResyncL3,
    RetryBook,
    SeenOrder,
)
from tui.store.parts import BookState, Part
from tui.store.state import (
    Candle,
    Changes,
    Derivatives,
    Fill,
    FuturesMargin,
    Position,
    Store,
    Ticker,
    Trade,
)

__all__ = [
    "AccountState",
    "ActivityEntry",
    "AuthFailed",
    "Balance",
    "BookState",
    "Candle",
    "Changes",
    "ConnectionHealth",
    "Derivatives",
    "Fill",
    "FuturesMargin",
    "Health",
    "MarketState",
    "OrderView",
    "OrdersSeen",
    "Outcome",
    "Part",
    "Position",
    "RefreshBook",
    "ResyncBook",
    "ResyncL3",
    "RetryBook",
    "SeenOrder",
    "SourceHealth",
    "Store",
    "Ticker",
    "Trade",
]
