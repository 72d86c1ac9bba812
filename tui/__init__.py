"""kraken-tui: a keyboard-driven terminal trading dashboard for Kraken's WebSocket API v2."""

__version__ = "0.1.0"
