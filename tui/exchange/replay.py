"""Playing a recording back in its own time: pause, speed, seek, and an end that says so.

The recording is what ``--record`` wrote (gzip NDJSON, one received or sent frame a line). Every
public frame the client received replays in order, spaced as it was received, divided by the
speed: book, trade, ticker, ohlc alike; so do the private executions and balances frames, to the
recorded account (``RecordedAccount``), which the private socket serves read-only. Seeking applies the frames up to the target silently
(books are rebuilt, the tape and candles kept for snapshots, no paper order fills in skipped
time), then the newest ticker and candle go out. At the end the player says ``ended`` and waits:
a finished recording is not a stale market.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tui.exchange.source_state import SourceState

__all__ = ["SPEEDS", "RecordingError", "ReplayPlayer", "load_recording"]

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
YIELD_EVERY = 500  # frames applied between yields while seeking or playing as fast as possible


class Market(Protocol):
    """What the player drives: the sources' ExternalMarket (public frames), the RecordedAccount
    (private frames)."""

    def handle(self, raw: str, send: bool = True) -> None: ...
    def rewind(self) -> None: ...
    def settle(self) -> None: ...


class RecordingError(Exception):
    """Not a recording this program can play: the message names the reason."""


@dataclass(frozen=True, slots=True)
class RecordedFrame:
    t: float
    raw: str
    private: bool = False  # an executions or balances frame of the recorded account


def load_recording(path: str | Path) -> list[RecordedFrame]:
    """The public frames and the private account frames a client received, in order;
    RecordingError if the file is not a recording."""
    frames: list[RecordedFrame] = []
    public = 0
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    t, raw = float(rec["t"]), rec["raw"]
                except (ValueError, KeyError, TypeError) as exc:
                    raise RecordingError(f"line {n} is not a recorded frame ({exc})") from None
                if rec.get("dir", "in") != "in" or not isinstance(raw, str):
                    continue
                conn = rec.get("conn")
                if conn == "public":
                    frames.append(RecordedFrame(t, raw))
                    public += 1
                elif conn == "private" and ('"executions"' in raw or '"balances"' in raw):
                    frames.append(RecordedFrame(t, raw, private=True))
    except FileNotFoundError:
        raise RecordingError("no such file") from None
    except IsADirectoryError:
        raise RecordingError("is a directory") from None
    except PermissionError:
        raise RecordingError("permission denied") from None
    except (gzip.BadGzipFile, OSError) as exc:
        raise RecordingError(f"not a gzip recording ({exc})") from None
    except (EOFError, zlib.error):
        raise RecordingError("truncated (the gzip stream ends early)") from None
    except UnicodeDecodeError:
        raise RecordingError("not text inside the gzip stream") from None
    if not public:
        raise RecordingError("holds no received public frame")
    return frames


class ReplayPlayer:
    def __init__(
        self,
        frames: list[RecordedFrame],
        market: Market,
        state: SourceState,
        speed: float = 1.0,
        account: Market | None = None,
    ) -> None:
        self.frames = frames
        self.market = market
        self.account = account
        self.state = state
        self.t0 = frames[0].t if frames else 0.0
        state.duration = frames[-1].t - self.t0 if frames else 0.0
        state.speed = speed
        self.i = 0  # the next frame to play
        self.paused = False
        self._seek_to: float | None = None
        self._wake = asyncio.Event()
        self._anchor = (0.0, time.monotonic())  # (position, monotonic time) playing started from

    # --- controls (the UI's keys) -----------------------------------------------------------------
    @property
    def position(self) -> float:
        pos, at = self._anchor
        if self.paused or self.i >= len(self.frames) or self.state.speed <= 0:
            return self.state.position
        return min(self.state.duration, pos + (time.monotonic() - at) * self.state.speed)

    def toggle_pause(self) -> None:
        self._reanchor()
        self.paused = not self.paused
        self._poke()

    def faster(self, up: bool = True) -> None:
        speed = self.state.speed
        later = [s for s in SPEEDS if (s > speed if up else s < speed)]
        if later:
            self._reanchor()
            self.state.speed = later[0] if up else later[-1]
            self._poke()

    def seek(self, delta: float) -> None:
        self._seek_to = max(0.0, min(self.state.duration, self.position + delta))
        self._poke()

    def restart(self) -> None:
        self._seek_to = 0.0
        self._poke()

    def _reanchor(self) -> None:
        self.state.position = self.position
        self._anchor = (self.state.position, time.monotonic())

    def _poke(self) -> None:
        self._wake.set()
        self.state.notify()

    # --- playing ----------------------------------------------------------------------------------
    async def run(self) -> None:
        frames = self.frames
        while True:
            if self._seek_to is not None:
                await self._seek(self._seek_to)
                continue
            if self.i >= len(frames) or self.paused:
                ended = self.i >= len(frames)
                self.state.set("ended" if ended else "paused", "end of recording" if ended else "paused")
                await self._sleep(None)
                self._reanchor()
                continue
            self.state.set("playing")
            rel = frames[self.i].t - self.t0
            if self.state.speed > 0:
                pos, at = self._anchor
                wait = at + (rel - pos) / self.state.speed - time.monotonic()
                if wait > 0:
                    self.state.at(self.position)
                    await self._sleep(min(wait, 0.5))
                    continue
            elif self.i % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            self._apply(frames[self.i], send=True)
            self.i += 1
            self.state.at(rel)

    def _apply(self, frame: RecordedFrame, send: bool) -> None:
        if not frame.private:
            self.market.handle(frame.raw, send)
        elif self.account is not None:
            self.account.handle(frame.raw, send)

    async def _sleep(self, timeout: float | None) -> None:
        """Sleep until ``timeout`` or a control key, whichever comes first."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _seek(self, target: float) -> None:
        self._seek_to = None
        market = self.market
        if target < self.state.position or target == 0.0:
            market.rewind()
            if self.account is not None:
                self.account.rewind()
            self.i = 0
        frames = self.frames
        applied = 0
        while self.i < len(frames) and frames[self.i].t - self.t0 <= target:
            self._apply(frames[self.i], send=False)
            self.i += 1
            applied += 1
            if applied % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        market.settle()
        if self.account is not None:
            self.account.settle()
        self.state.position = target
        self._anchor = (target, time.monotonic())
        self.state.notify()
