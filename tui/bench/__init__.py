"""Benchmarks run as commands (``kraken-tui bench*``, ``soak``): they print numbers, they are not tests.

Like the commands they sit on top of every layer; nothing below imports them.
"""
