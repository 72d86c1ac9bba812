"""``kraken-tui exchange --pairs``: ``all``, any recorded pair by name, and a refusal naming the bad one."""

from __future__ import annotations

import argparse

import pytest

from tui.cli.exchange import BadFlag, add_arguments, config_from_args
from tui.exchange.pairs import DEFAULT_PAIRS


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_pairs_all_lists_the_whole_market() -> None:
    cfg = config_from_args(_args("--pairs", "all"), None)
    assert cfg.all_pairs is True


def test_default_and_named_pairs() -> None:
    assert config_from_args(_args(), None).symbols == list(DEFAULT_PAIRS)
    assert config_from_args(_args(), None).all_pairs is False
    cfg = config_from_args(_args("--pairs", "BTC/USD", "LTC/USD", "ETH/BTC"), None)
    assert cfg.symbols == ["BTC/USD", "LTC/USD", "ETH/BTC"] and not cfg.all_pairs


def test_an_unknown_pair_is_refused_by_name() -> None:
    with pytest.raises(BadFlag, match="FOO/BAR"):
        config_from_args(_args("--pairs", "LTC/USD", "FOO/BAR"), None)
