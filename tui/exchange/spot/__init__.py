"""The spot venue (WebSocket v2 and the REST calls a v2 client needs)."""
