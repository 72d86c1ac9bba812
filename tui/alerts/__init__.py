"""Price alerts: a condition on one market, judged on verified data, fired once, kept across
restarts in the state directory (README "Alerts")."""

from tui.alerts.book import AlertBook, Fired, alerts_path
from tui.alerts.model import KINDS, Alert, StagedOrder, describe

__all__ = ["KINDS", "Alert", "AlertBook", "Fired", "StagedOrder", "alerts_path", "describe"]
