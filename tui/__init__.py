"""kraken-tui: a keyboard-driven terminal trading dashboard for Kraken's WebSocket API v2."""

from typing import Any


def __getattr__(name: str) -> Any:
    """``__version__`` is the installed package's metadata: one version string, in pyproject.toml."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("kraken-tui")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module 'tui' has no attribute {name!r}")
