"""The tape repaints the lines in sight whose print changed, not its border or scrollbar
(recorded session, no sockets): on a busy pair it gets new prints 16 times a second."""

from __future__ import annotations

from decimal import Decimal

from tui.kraken.events import Trade
from tui.widgets.tape import CAPACITY, TradesTape

from .conftest import FixtureApp, drawn_crops, drawn_rows


async def test_a_new_print_redraws_the_lines_and_a_folded_one_only_the_newest() -> None:
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await app.painted(pilot)
        tape = screen.query_one(TradesTape)
        mk = app.store.market("BTC/USD")
        trades = list(mk.trades)[-CAPACITY:]
        last = trades[-1]
        for n in range(1, 13):  # prints enough for every row in sight, each a line of its own
            side = "buy" if n % 2 else "sell"
            stamp = f"2030-01-01T00:00:{n:02}.000000Z"
            trades.append(Trade(last.price, Decimal(n), side, "limit", last.trade_id + n, stamp))
        tape.update_trades(trades, tape.decimals, tape.threshold)
        assert len(tape.lines) > tape.size.height
        drawn = drawn_rows(tape)
        bar_drawn = drawn_crops(tape.vertical_scrollbar)
        await pilot.pause(0.2)
        border = tape._styles_cache._cache.get(0)
        assert border is not None
        drawn.clear()
        bar_drawn.clear()

        last = trades[-1]
        side = "sell" if last.side == "buy" else "buy"
        new = Trade(
            last.price, Decimal("0.5"), side, "market", last.trade_id + 1, "2030-01-01T00:01:00.000000Z"
        )
        trades.append(new)
        tape.update_trades(trades, tape.decimals, tape.threshold)
        await pilot.pause(0.2)
        assert sorted(set(drawn)) == list(range(tape.size.height))  # every line moved down one
        assert tape.render_line(0).text.split()[1].startswith("S" if side == "sell" else "B")
        assert bar_drawn == []
        assert tape._styles_cache._cache.get(0) is border  # the border was not drawn again

        drawn.clear()
        same = Trade(last.price, Decimal("0.25"), side, "market", new.trade_id + 1, new.timestamp)
        trades.append(same)  # the same second and side: folded into the newest line
        tape.update_trades(trades, tape.decimals, tape.threshold)
        await pilot.pause(0.2)
        assert set(drawn) == {0}, drawn
        assert "×2" in tape.render_line(0).text
        assert bar_drawn == []
