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
