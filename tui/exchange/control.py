"""``/_control/faults``: read (GET) or change (POST a JSON object) the fault settings at run time."""

from __future__ import annotations

from aiohttp import web

from tui.exchange.faults import FaultConfig

__all__ = ["FaultControl"]


class FaultControl:
    def __init__(self, faults: FaultConfig) -> None:
        self.faults = faults

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/_control/faults", self._handle)
        app.router.add_get("/_control/faults", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            try:
                self.faults.update(await request.json())
            except (ValueError, TypeError) as exc:
                return web.json_response({"error": str(exc)}, status=400)
        data = {k: v for k, v in self.faults.as_dict().items() if k != "rng"}
        return web.json_response(data)
