"""Market, account and health state shared by the feed (writer) and the screens (readers)."""

from tui.store.state import (
    AccountState,
    ActivityEntry,
    Balance,
    Candle,
    Changes,
    ConnectionHealth,
    Fill,
    Health,
    MarketState,
    OrderView,
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
    "Fill",
    "Health",
    "MarketState",
    "OrderView",
    "Store",
    "Ticker",
    "Trade",
]
