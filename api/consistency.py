"""Read-your-writes by position: `X-Registry-Min-Position: N` on a /graphql request.

A write answers with the log position of its last event (POST /import: `position`). A
request carrying that position is held until the read models it reads (on a streaming
replica, REGISTRY_READ_DATABASE, they arrive later than on the primary) include it, for at
most REGISTRY_READ_WAIT_SECONDS (default 5); then it is answered 503 with a GraphQL error
`POSITION_NOT_REACHED` and `Retry-After`, and nothing is executed.
"""

from __future__ import annotations

import json
import os
from typing import Any

from api.http import JSON, negotiate
from api.position_wait import wait_for_position
from registry.config import ConfigError

HEADER = "x-registry-min-position"
DEFAULT_WAIT_SECONDS = 5.0


def wait_seconds_from_environment() -> float:
    """REGISTRY_READ_WAIT_SECONDS, the longest a request waits for its position."""
    raw = os.environ.get("REGISTRY_READ_WAIT_SECONDS")
    if not raw:
        return DEFAULT_WAIT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ConfigError(
            "REGISTRY_READ_WAIT_SECONDS", f"must be a number of seconds (got {raw!r})"
        )
    return value


class MinimumPosition:
    """ASGI middleware: holds a /graphql request with X-Registry-Min-Position until the
    read side (`position()`) reaches it, or refuses it with a GraphQL error."""

    def __init__(self, app: Any, read_side: Any, timeout: float | None = None) -> None:
        self.app = app
        self.read_side = read_side
        self.timeout = wait_seconds_from_environment() if timeout is None else timeout

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/graphql"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        raw = headers.get(HEADER)
        if raw is None:
            await self.app(scope, receive, send)
            return
        media_type = negotiate(headers.get("accept")) or JSON
        if not raw.strip().isdigit():
            message = (
                f"X-Registry-Min-Position must be a log position, a whole number (got {raw!r})"
            )
            await _error(send, 400, media_type, message, {"code": "BAD_REQUEST"})
            return
        wanted = int(raw.strip())
        reached = await self._wait(wanted)
        if reached < wanted:
            message = (
                f"the read models have not reached position {wanted} within {self.timeout:g} s "
                f"(they are at {reached}); try again shortly"
            )
            extensions = {"code": "POSITION_NOT_REACHED", "position": wanted, "reached": reached}
            await _error(send, 503, media_type, message, extensions, {"retry-after": "1"})
            return
        await self.app(scope, receive, send)

    async def _wait(self, wanted: int) -> int:
        return await wait_for_position(self.read_side, wanted, self.timeout)


async def _error(
    send: Any,
    status: int,
    media_type: str,
    message: str,
    extensions: dict[str, Any],
    extra_headers: dict[str, str] | None = None,
) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": extensions}]}).encode()
    headers = [
        (b"content-type", f"{media_type}; charset=utf-8".encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [(k.encode(), v.encode()) for k, v in (extra_headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
