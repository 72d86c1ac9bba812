from __future__ import annotations

import pytest

from tui.kraken.errors import ErrorKind, classify_error, split_error


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ESession:Invalid session", ErrorKind.SESSION),
        ("EAPI:Invalid key", ErrorKind.AUTH),
        ("EAPI:Invalid signature", ErrorKind.AUTH),
        ("EGeneral:Permission denied", ErrorKind.AUTH),
        ("EAccount:Invalid permissions", ErrorKind.AUTH),
        ("EAPI:Rate limit exceeded", ErrorKind.RATE),
        ("EOrder:Rate limit exceeded", ErrorKind.RATE),
        ("EService: Throttled: 1764030000", ErrorKind.RATE),
        ("Exceeded msg rate", ErrorKind.RATE),
        ("EService:Market in cancel_only mode", ErrorKind.MARKET_STATE),
        ("EService:Market in post_only mode", ErrorKind.MARKET_STATE),
        ("EService:Unavailable", ErrorKind.TRANSIENT),
        ("EGeneral:Internal error:123", ErrorKind.TRANSIENT),
        ("EOrder:Insufficient funds", ErrorKind.ORDER),
        ("EOrder:Order minimum not met", ErrorKind.ORDER),
        ("EGeneral:Invalid arguments:Index unavailable", ErrorKind.ORDER),
        ("Currency pair not supported XBT/USD", ErrorKind.SUBSCRIPTION),
        ("Already subscribed", ErrorKind.SUBSCRIPTION),
        ("Subscription depth not supported", ErrorKind.SUBSCRIPTION),
        ("Unsupported field: 'price' for the given msg type: add order", ErrorKind.REQUEST),
        ("Limit_price field must be a number_float", ErrorKind.REQUEST),
        ("Symbol field must be an array", ErrorKind.REQUEST),
        ("something brand new", ErrorKind.OTHER),
    ],
)
def test_classify(text: str, kind: ErrorKind) -> None:
    assert classify_error(text) is kind


def test_split_keeps_identity_and_detail() -> None:
    assert split_error("EGeneral:Invalid arguments:Index unavailable") == (
        "EGeneral:Invalid arguments",
        "Index unavailable",
    )
    assert split_error("EOrder:Insufficient funds") == ("EOrder:Insufficient funds", "")
    assert split_error("EService: Throttled: 1764030000") == ("EService: Throttled", " 1764030000")
    assert split_error("Unsupported field: 'x' for the given msg type: ping") == (
        "Unsupported field: 'x' for the given msg type: ping",
        "",
    )
