from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from tui.book import l2

KERNELS = ["c", "python"]


@contextlib.contextmanager
def using_kernel(kernel: Any) -> Iterator[None]:
    """Run the L2 book on ``kernel`` (the compiled module, or None for the Python loop)."""
    saved = l2._kernel
    l2._kernel = kernel
    try:
        yield
    finally:
        l2._kernel = saved


@pytest.fixture(scope="module", params=KERNELS)
def each_l2_kernel(request: pytest.FixtureRequest) -> Iterator[str]:
    """Runs a module's tests once per L2 inner loop; the compiled one must have been built.

    Module-scoped (not monkeypatch) so hypothesis tests can use it.
    """
    if request.param == "c" and l2._compiled is None:
        pytest.skip("the compiled L2 kernel was not built on this machine")
    with using_kernel(l2._compiled if request.param == "c" else None):
        yield request.param
