"""GraphQL over HTTP as the GraphQL-over-HTTP specification asks, on top of strawberry's router.

- The response has the media type the client accepts: `application/graphql-response+json`
  when its Accept header prefers it, `application/json` otherwise (also for `*/*` and for no
  Accept header); 406 when it accepts neither.
- A request error (the document does not parse or validate, a limit is exceeded, a variable
  cannot be coerced) has no `data` key. With `application/graphql-response+json` it is
  answered 400; with `application/json` 200, as legacy clients expect.
- A request that is not a GraphQL request (no query, malformed JSON, wrong content type,
  body too large, a mutation over GET) gets its 4xx status and a JSON body with `errors`.
- Every error has `extensions.code` (`api.errors`); nothing is answered with a traceback.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from cross_web import HTTPException, StarletteRequestAdapter
from graphql import GraphQLError, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.exceptions import MissingQueryError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from api.access import IDENTITY
from api.cache import pending_note
from api.errors import INTERNAL_SERVER_ERROR, INTERNAL_SERVER_ERROR_MESSAGE, code_of, coded
from api.limits import MAX_BODY_BYTES, MAX_TOKENS

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

# Codes of errors refused before GraphQL gets to see the request.
HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "REQUEST_TOO_LARGE",
    414: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: INTERNAL_SERVER_ERROR,
}

logger = logging.getLogger(__name__)


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, given the request's Accept header; None if the client
    accepts neither `application/graphql-response+json` nor `application/json`.

    The highest quality wins. On a tie between types the client names, graphql-response+json
    wins; between types it reaches only through a wildcard (`*/*`), json wins, as the spec
    asks of servers while clients move over; a named type beats a wildcard.
    """
    if not accept or not accept.strip():
        return JSON
    best: dict[str, tuple[int, float]] = {}  # media type -> (specificity, quality)
    for media_range in accept.split(","):
        kind, *params = (part.strip().lower() for part in media_range.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        for media_type in (GRAPHQL_RESPONSE_JSON, JSON):
            specificity = {media_type: 2, "application/*": 1, "*/*": 0}.get(kind)
            if specificity is not None and specificity >= best.get(media_type, (-1, 0.0))[0]:
                best[media_type] = (specificity, quality)
    ranked = []
    for media_type, (specificity, quality) in best.items():
        if quality > 0:
            named = specificity == 2
            preferred = named == (media_type == GRAPHQL_RESPONSE_JSON)
            ranked.append((quality, named, preferred, media_type))
    return max(ranked)[3] if ranked else None


@dataclass
class Exchange:
    """One HTTP request's negotiated media type and the status its answer gets."""

    media_type: str
    status: int | None = None


# strawberry's hooks between `run` and `create_response` are not given the request; this
# carries the negotiated media type through the handling of one request.
_exchange: ContextVar[Exchange] = ContextVar("graphql_http_exchange")


class CappedBodyRequestAdapter(StarletteRequestAdapter):
    """Reads a request body only up to `max_bytes`, before any of it is parsed."""

    def __init__(self, request: Request, max_bytes: int) -> None:
        super().__init__(request)
        self.request = request
        self.max_bytes = max_bytes

    async def get_body(self) -> bytes:
        declared = self.request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self.too_large()
        body = bytearray()
        async for chunk in self.request.stream():
            body += chunk
            if len(body) > self.max_bytes:
                raise self.too_large()
        return bytes(body)

    def too_large(self) -> HTTPException:
        return HTTPException(
            413, f"The request body is larger than {self.max_bytes} bytes, the most allowed."
        )


class GraphQLHTTPRouter(GraphQLRouter):
    """strawberry's FastAPI router, answering as the GraphQL-over-HTTP spec asks (see the
    module docstring). Takes GraphQLRouter's arguments and `max_body_bytes`. Answers it gives
    while the answer cache waits for them (api/answers.py) are handed to it as bytes."""

    def __init__(
        self,
        schema: BaseSchema,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        **options: Any,
    ) -> None:
        super().__init__(schema, **options)
        self.max_body_bytes = max_body_bytes
        self.request_adapter_class = partial(CappedBodyRequestAdapter, max_bytes=max_body_bytes)

    async def run(
        self,
        request: Request | WebSocket,
        context: Any = UNSET,
        root_value: Any = UNSET,
    ) -> Response | WebSocket:
        if self.is_websocket_request(request) or self.should_render_graphql_ide(
            StarletteRequestAdapter(request)
        ):
            return await super().run(request, context, root_value)
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return self.error_response(
                406, f"Accept {GRAPHQL_RESPONSE_JSON} or {JSON}; nothing else is served.", JSON
            )
        if request.method == "GET" and len(request.url.query) > self.max_body_bytes:
            return self.error_response(
                414,
                f"The query string is longer than {self.max_body_bytes} bytes; send the "
                "request as a POST.",
                media_type,
            )
        token = _exchange.set(Exchange(media_type))
        try:
            return await super().run(request, context, root_value)
        except HTTPException as error:
            return self.error_response(error.status_code, error.reason, media_type)
        except Exception:
            logger.exception("GraphQL request failed")
            return self.error_response(500, INTERNAL_SERVER_ERROR_MESSAGE, media_type)
        finally:
            _exchange.reset(token)

    async def parse_http_body(
        self, request: StarletteRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            accepted = {JSON, "multipart/form-data"} if self.multipart_uploads_enabled else {JSON}
            if content_type not in accepted:
                raise HTTPException(
                    415, f"Send the GraphQL request as {JSON} (Content-Type: {JSON})."
                )
        parsed = await super().parse_http_body(request)
        for data in parsed if isinstance(parsed, list) else [parsed]:
            if not isinstance(data.operation_name, str | None):
                raise HTTPException(
                    400,
                    "The GraphQL operation's `operationName` must be a string or null, "
                    "if provided.",
                )
        return parsed

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        note = pending_note.get()
        if note is not None and isinstance(context, dict) and note.identity is not None:
            # Worked out already by the answer cache (api/answers.py): not again, in a thread.
            context.setdefault(IDENTITY, note.identity)
        # As strawberry's own execute_single, but subscriptions are served over WebSocket
        # only (a subscription over HTTP would otherwise fail inside execution).
        method = request_adapter.method
        allowed = OperationType.from_http(method) - {OperationType.SUBSCRIPTION}
        if not self.allow_queries_via_get and method == "GET":
            allowed -= {OperationType.QUERY}
        try:
            result = await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except InvalidOperationTypeError as error:
            if error.operation_type == OperationType.SUBSCRIPTION:
                raise HTTPException(
                    400,
                    "Subscriptions are served over WebSocket (graphql-transport-ws) at "
                    "/graphql, not over HTTP.",
                ) from error
            if error.operation_type == OperationType.MUTATION and method == "GET":
                # The spec: a mutation over GET is answered 405 Method Not Allowed.
                raise HTTPException(405, "Mutations are only accepted over POST.") from error
            raise HTTPException(400, error.as_http_error_reason(method)) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error
        if note is not None and not result.errors:
            # Kept by the answer cache only if it is a query's (never a mutation's).
            note.cacheable = is_query(request_data.query, request_data.operation_name)
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        exchange = _exchange.get(None)
        errors = [safe(error) for error in result.errors or ()]
        response: GraphQLHTTPResponse = {}
        # Errors with no path, and no data: raised before execution began (parse,
        # validation, variable coercion), so there is no `data` entry at all.
        request_error = (
            bool(errors) and result.data is None and all(error.path is None for error in errors)
        )
        if not request_error:
            response["data"] = result.data
        if errors:
            response["errors"] = [error.formatted for error in errors]
        if result.extensions:
            response["extensions"] = result.extensions
        if request_error and exchange and exchange.media_type == GRAPHQL_RESPONSE_JSON:
            internal = any(code_of(error) == INTERNAL_SERVER_ERROR for error in errors)
            exchange.status = 500 if internal else 400
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        exchange = _exchange.get(None) or Exchange(JSON)
        body = self.encode_json(response_data)
        status = exchange.status or sub_response.status_code or 200
        response = Response(
            body, status_code=status, media_type=f"{exchange.media_type}; charset=utf-8"
        )
        response.headers.raw.extend(sub_response.headers.raw)
        note = pending_note.get()
        if note is not None and note.cacheable:
            # The bytes the answer cache serves again: one answer (not a batch), 200, with
            # no header of its own.
            single = isinstance(response_data, dict) and "errors" not in response_data
            own = [name for name, _ in sub_response.headers.raw if name != b"content-length"]
            if single and status == 200 and not own:
                note.body = body if isinstance(body, bytes) else body.encode("utf-8")
        return response

    def error_response(self, status: int, message: str, media_type: str) -> Response:
        """An answer to a request that GraphQL did not get to handle."""
        code = HTTP_ERROR_CODES.get(status, "BAD_REQUEST")
        body = {"errors": [{"message": message, "extensions": {"code": code}}]}
        headers = {"Allow": "POST"} if status == 405 else None
        return Response(
            self.encode_json(body),
            status_code=status,
            media_type=f"{media_type}; charset=utf-8",
            headers=headers,
        )


@lru_cache(maxsize=256)
def is_query(query: str | None, operation_name: str | None) -> bool:
    """Whether the document's operation is a query (not a mutation or subscription); False
    for a document that does not parse within the token limit (it is refused later)."""
    if not isinstance(query, str) or not isinstance(operation_name, str | None):
        return False
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation.value == "query"


def safe(error: GraphQLError) -> GraphQLError:
    """`error` with a code, for the few errors that reach the router without one (an exception
    in an extension, after the error-code extension has run)."""
    return error if code_of(error) else coded(error, before_execution=True)
