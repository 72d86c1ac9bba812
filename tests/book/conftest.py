from __future__ import annotations

from collections.abc import Iterator

import pytest

from tui.book import l2

KERNELS = ["c", "python"]


@pytest.fixture(scope="module", params=KERNELS)
def each_l2_kernel(request: pytest.FixtureRequest) -> Iterator[str]:
    """Runs a module's tests once per L2 inner loop; the compiled one must have been built.

    Module-scoped (not monkeypatch) so hypothesis tests can use it.
    """
    saved = l2._kernel
    if request.param == "c":
        if l2._compiled is None:
            pytest.skip("the compiled L2 kernel was not built on this machine")
        l2._kernel = l2._compiled
    else:
        l2._kernel = None
    try:
        yield request.param
    finally:
        l2._kernel = saved
