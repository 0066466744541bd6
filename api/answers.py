"""Repeated GraphQL queries answered from the answer cache (api/cache.py) as stored bytes.

`CachedAnswers` is ASGI middleware in front of /graphql. It keys a request on what it is
made of, raw: the method, the body (POST) or query string (GET), the content type, and the
class of reader its credentials make it (public or personal data: an auditor's answer is
never served to a reader), at the read side's position on this day. On a hit it sends the
stored bytes with the media type the client accepts: no FastAPI dependency, no context, no
reader, no parsing of the query, no read of the store besides the position, which one read
shares among the requests that arrived while the previous one ran (`SharedRead`).

On a miss the request goes on to the GraphQL router unchanged (the body read here is handed
on), with a `Pending` note in a context variable: the router marks the answer cacheable when
it is a query's answer without errors (api/http.py) and gives the bytes it sends; the
middleware keeps them, unless a write in this process cleared the cache meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import HTTPConnection

from api.access import audience
from api.cache import Answer, AnswerCache, Pending, SharedRead, pending_note
from api.http import JSON, negotiate
from api.identity import (
    LOCAL,
    PUBLIC,
    Identity,
    Unauthenticated,
    from_loopback,
    identify,
    identity_configured,
)
from api.limits import MAX_BODY_BYTES
from api.observability import GRAPHQL_SECONDS, current_request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


_HEADERS = {
    media_type: [(b"content-type", f"{media_type}; charset=utf-8".encode("latin-1"))]
    for media_type in (JSON, "application/graphql-response+json")
}


class CachedAnswers:
    """ASGI middleware: answers a repeated /graphql query from `cache` (module docstring)."""

    def __init__(
        self,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
        cache: AnswerCache,
        read_side: Any,
        registry: Any,
        path: str = "/graphql",
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.cache = cache
        self.registry = registry
        self.path = path
        self.max_body_bytes = max_body_bytes
        # The position, and whether any identity is configured (for a request from loopback
        # without credentials), read together: on PostgreSQL in one worker thread for many
        # requests, on a SQLite file in place.
        self.probe: SharedRead[tuple[int, bool]] = SharedRead(
            lambda: (read_side.position(), identity_configured(registry)),
            in_thread=read_side.settings.is_postgres,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        accept = content_type = authorization = None
        length = -1
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == b"content-type":
                content_type = value
            elif name == b"authorization":
                authorization = value
            elif name == b"content-length" and value.isdigit():
                length = int(value)
        media_type = _negotiated(accept)
        if media_type is None:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        if method == "GET":
            raw: bytes | None = scope["query_string"]
            if not raw or len(raw) > self.max_body_bytes:
                await self.app(scope, receive, send)
                return
        else:
            if length > self.max_body_bytes:
                await self.app(scope, receive, send)
                return
            raw = await self._body(receive, messages)
        if raw is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        started = time.perf_counter()
        try:
            position, configured = await self.probe.get()
            identity = await self._identity(scope, authorization, configured)
        except Exception:  # the store did not answer: the router says so, as it would
            await self.app(scope, _replay(messages, receive), send)
            return
        reader_class = audience(identity)
        if reader_class is None:  # bad credentials: answered with an error, never cached
            await self.app(scope, _replay(messages, receive), send)
            return
        key = self.cache.key(
            position, method, raw, content_type, scope["query_string"], reader_class
        )
        answer = self.cache.get(key)
        if answer is not None:
            await self._send(send, answer, media_type)
            info = current_request()
            if info is not None:
                info.operation = answer.operation
            answer.timer.observe(time.perf_counter() - started)
            return
        # The epoch before anything is executed: a write from now on (a redaction) keeps
        # this answer out of the cache.
        note = Pending(key, self.cache.epoch, identity)
        token = pending_note.set(note)
        try:
            await self.app(scope, _replay(messages, receive), send)
        finally:
            pending_note.reset(token)
        if note.cacheable and note.body is not None:
            info = current_request()
            operation = (info.operation if info is not None else None) or "anonymous"
            answer = Answer(note.body, operation, GRAPHQL_SECONDS.labels(operation=operation))
            self.cache.put(key, answer, note.epoch)

    async def _body(self, receive: Receive, messages: list[Message]) -> bytes | None:
        """The whole request body (the messages kept in `messages` to hand on), or None when
        it is larger than allowed or the client went away."""
        chunks = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _identity(
        self, scope: Scope, authorization: bytes | None, configured: bool
    ) -> Identity | Unauthenticated:
        """Who is asking, as api/identity.py `identify` says: without credentials from
        memory, with credentials in a worker thread (a token is looked up in the store)."""
        connection = HTTPConnection(scope)
        if authorization is None or not authorization.strip():
            return LOCAL if not configured and from_loopback(connection) else PUBLIC

        def work() -> Identity | Unauthenticated:
            try:
                return identify(connection, self.registry)
            except Unauthenticated as error:
                return error

        return await asyncio.to_thread(work)

    @staticmethod
    async def _send(send: Send, answer: Answer, media_type: str) -> None:
        headers = [*_HEADERS[media_type], (b"content-length", str(len(answer.body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


_negotiations: dict[bytes | None, str | None] = {}


def _negotiated(accept: bytes | None) -> str | None:
    """`negotiate` on a raw Accept header, remembered for the few headers clients send."""
    try:
        return _negotiations[accept]
    except KeyError:
        pass
    found = negotiate(accept.decode("latin-1") if accept is not None else None)
    if len(_negotiations) < 256:
        _negotiations[accept] = found
    return found


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """`receive`, first handing on the messages already read."""
    if not messages:
        return receive
    queue = list(messages)

    async def again() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return again
