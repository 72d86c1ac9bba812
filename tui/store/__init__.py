"""Market, account and health state shared by the feed (writer) and the screens (readers)."""

from tui.store.state import (
    AccountState,
    ActivityEntry,
    Balance,
    Candle,
    Changes,
    ConnectionHealth,
    Derivatives,
    Fill,
    FuturesMargin,
    Health,
    MarketState,
    OrderView,
    Position,
    Store,
    Ticker,
    Trade,
)

__all__ = [
    "AccountState",
    "ActivityEntry",
    "Balance",
    "Candle",
    "Changes",
    "ConnectionHealth",
    "Derivatives",
    "Fill",
    "FuturesMargin",
    "Health",
    "MarketState",
    "OrderView",
    "Position",
    "Store",
    "Ticker",
    "Trade",
]
