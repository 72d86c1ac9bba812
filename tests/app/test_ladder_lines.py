"""The ladder repaints the rows whose line changed and no others (recorded session, no sockets):
at depth 100 it gets a new view 16 times a second, and each line Textual draws again costs."""

from __future__ import annotations

from dataclasses import replace

from tui.widgets.ladder import BookLadder, LadderRow

from .conftest import FixtureApp, drawn_crops, drawn_rows


async def test_one_changed_row_is_the_one_line_drawn_again() -> None:
    app = FixtureApp()
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await app.painted(pilot)
        ladder = screen.query_one("#book", BookLadder)
        drawn = drawn_rows(ladder)
        bar_drawn = drawn_crops(ladder.vertical_scrollbar)
        for _ in range(50):  # a quiet ladder first (the first paint centres it, on a slow machine late)
            drawn.clear()
            await pilot.pause(0.1)
            if not drawn:
                break
        assert drawn == []
        view = ladder.view
        assert view is not None
        top = int(ladder.scroll_offset.y)
        i = next(  # a bid in sight that is not the user's own
            n
            for n, r in enumerate(view.rows)
            if r.kind == "bid" and not r.own and top <= n < top + ladder.body_height
        )
        rows = list(view.rows)
        r = rows[i]  # only the mark at its price changes
        rows[i] = LadderRow(r.kind, r.price, r.qty, r.cum, True, r.note, r.unverified, r.mine)
        bar_drawn.clear()
        ladder.update_view(replace(view, rows=tuple(rows)))
        await pilot.pause(0.2)
        line = i - top + ladder.header_lines
        assert set(drawn) == {line}, drawn
        assert bar_drawn == []  # the row's cells in sight, not the scrollbar's column beside them
        assert ladder.render_line(line).text.startswith("◆")

        drawn.clear()
        ladder.update_view(replace(view, rows=tuple(rows)))  # the same rows again: nothing drawn
        await pilot.pause(0.2)
        assert drawn == []
