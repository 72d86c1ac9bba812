"""The screener's tickers: every listed pair's ticker, subscribed in batches the venue accepts.

Kraken publishes neither a limit on symbols per subscribe request nor a number for its message
rate limit (protocol reference §1.6). What it does say: subscribe many symbols in **one** request
(the ``symbol`` list), not one request per symbol, and bursts of requests are refused with
``Exceeded msg rate`` (a client that sent 25 at once had the last 10 refused). So the pairs go in
requests of ``BATCH`` symbols, one request every ``PACE`` seconds (683 pairs: 14 requests over
3.5 s), and a pair whose ticker has not arrived ``CHECK_AFTER`` seconds after its request is
asked for again, at most ``RETRIES`` times: a request refused as a whole names no symbol to
retry by, and a ticker snapshot always follows a subscribe that was accepted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

__all__ = ["BATCH", "CHECK_AFTER", "PACE", "RETRIES", "TickerBatches", "batches"]

BATCH = 50
PACE = 0.25
CHECK_AFTER = 5.0
RETRIES = 3


def batches(symbols: list[str], size: int = BATCH) -> list[list[str]]:
    return [symbols[i : i + size] for i in range(0, len(symbols), size)]


class TickerBatches:
    """Which pairs' tickers are wanted beyond the watchlist's, and the paced sending of them.

    ``send`` subscribes one batch on the public socket (a no-op while it is down: the connect
    hook calls ``resend``); ``latest`` is the last ticker the store holds for a symbol (any
    object: only its identity is compared, to see that a fresh one arrived).
    """

    def __init__(
        self,
        send: Callable[[list[str]], Awaitable[None]],
        latest: Callable[[str], object],
        *,
        pace: float = PACE,
        check_after: float = CHECK_AFTER,
    ) -> None:
        self.wanted: set[str] = set()
        self.requests = 0  # subscribe requests sent (the tests and the benchmark read it)
        self._send = send
        self._latest = latest
        self._pace = pace
        self._check_after = check_after
        self._tasks: set[asyncio.Task[None]] = set()

    def want(self, symbols: Iterable[str], already: Iterable[str] = ()) -> list[str]:
        """Add ``symbols`` to what is wanted; the new ones not ``already`` subscribed, to be sent."""
        skip = set(already)
        new = [s for s in dict.fromkeys(symbols) if s not in self.wanted]
        self.wanted.update(new)
        return [s for s in new if s not in skip]

    def start(self, symbols: list[str]) -> None:
        if symbols:
            task = asyncio.get_running_loop().create_task(self.run(symbols))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def stop(self) -> None:
        for t in list(self._tasks):
            t.cancel()

    async def run(self, symbols: list[str]) -> None:
        """Send ``symbols`` in paced batches; ask again for those whose ticker did not come."""
        pending = list(symbols)
        for _ in range(1 + RETRIES):
            before = {s: self._latest(s) for s in pending}
            for i, chunk in enumerate(batches(pending)):
                if i:
                    await asyncio.sleep(self._pace)
                self.requests += 1
                await self._send(chunk)
            await asyncio.sleep(self._check_after)
            pending = [s for s in pending if s in self.wanted and self._latest(s) is before[s]]
            if not pending:
                return
