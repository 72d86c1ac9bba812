"""The futures venue (Kraken Futures WebSocket v1 at ``/ws/v1``, REST v3 under ``/derivatives/api/v3/``).

Public feeds ``book`` (full-depth ``book_snapshot``, then one ``book`` frame per changed level,
``seq`` +1 per frame per product), ``ticker``, ``ticker_lite``, ``trade``, candles and
``heartbeat``; private feeds ``open_orders``, ``fills``, ``open_positions`` and ``balances``
behind the challenge flow (a challenge is valid only on the connection it was issued to).
Numbers are exact JSON numbers, timestamps integer milliseconds.

Choices where the reference leaves room:
- an unknown product id in a (un)subscribe is answered with
  ``{"event":"subscribed_failed"|"unsubscribed_failed","feed":F,"product_ids":[unknown...]}``;
  the known ids of the same request are subscribed normally. Subscribing again resends the
  snapshot (the way to resync after a ``seq`` gap).
- ``heartbeat`` every ``ExchangeConfig.heartbeat_interval`` (1 s by default).
- ``premium`` = (mark - index) / index in percent (2 decimals); ``relative_funding_rate`` =
  (mark - index) / index / 8, clamped to ±0.0025 and rounded to 12 decimals;
  ``funding_rate`` = ``funding_rate_prediction`` = relative rate * index (USD per contract).
  No funding is ever paid. Mark = mid of the product's best bid/ask (last trade as fallback),
  index = mid of the matching spot pair when listed here, else the mark.
"""
