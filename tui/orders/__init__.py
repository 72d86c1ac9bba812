"""The order path between the form and the desk: guards, review numbers and the exact request.

Pure code: no Textual, no sockets. Screens build a ``FormInput``, ``build_order`` answers with a
``Draft``, the review screen hands a ``Reviewed`` order to the desk.
"""

from tui.orders.guards import build_order
from tui.orders.model import FIELDS, Draft, FormInput, Review, Reviewed, Walk
from tui.orders.parse import FUTURES_INITIAL_MARGIN, parse_price
from tui.orders.review import walk_book

__all__ = [
    "FIELDS",
    "FUTURES_INITIAL_MARGIN",
    "Draft",
    "FormInput",
    "Review",
    "Reviewed",
    "Walk",
    "build_order",
    "parse_price",
    "walk_book",
]
