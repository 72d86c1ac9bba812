from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def samples() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "kraken-v2-samples.json").read_text())
    return data


@pytest.fixture(autouse=True)
def _pilot_idle_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits after each key until the process looks idle (under 1 ms of CPU in a 20 ms
    window), else for up to a second. With the embedded exchange streaming in the same process the
    test never looks that idle, so every key cost ~1 s; a quarter of the window counts as idle here.
    Tests still wait for what they assert on (``until``), never on this."""
    import textual._wait

    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", textual._wait.SLEEP_GRANULARITY / 4)
