"""Screens: the market dashboard and its modal helpers (search, help, order entry, confirmations)."""
