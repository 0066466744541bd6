"""Health, metrics and logs of a running registry (docs/configuration.md has the settings).

- **Health**: `/livez` is 200 while the process serves; `/readyz` is 200 when the store answers,
  some projection runner (this process's or another's, seen by its heartbeat in the store,
  projections/heartbeat.py) is alive and the read models are at most REGISTRY_READY_MAX_LAG
  events behind the event log; else 503 with `{"status": "not ready", "reason": ...}`. Neither
  shows a path, a user or a host.
- **Metrics**: Prometheus text at `/metrics` (prometheus-client): requests by handler, GraphQL
  operation and status; GraphQL execution and root-resolver time; answer-cache hits and
  misses; writes of events; the store's last position, and each read model's position and lag;
  the runner's heartbeat age; import outcomes.
- **Logs**: one line per event on stderr, JSON (`timestamp`, `level`, `logger`, `message`,
  and for requests `request_id`, `method`, `path`, `status`, `duration_ms`, `operation`) or
  plain text for a terminal. Each HTTP request gets an id (the client's `X-Request-ID` when it
  sends a sensible one), echoed in the `X-Request-ID` response header and put on every log
  line written while the request is handled.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from inspect import isawaitable
from typing import Any

from prometheus_client import Counter, Histogram, disable_created_metrics
from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from api.http import GraphQLHTTPRouter
from projections import heartbeat

log = logging.getLogger("registry.http")

# -- request context ------------------------------------------------------------------------


@dataclass
class RequestInfo:
    """What the log line and the metrics of one HTTP request need, filled in as it goes."""

    request_id: str
    operation: str | None = None


_request: ContextVar[RequestInfo | None] = ContextVar("registry_request", default=None)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_OPERATION = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
_FIRST_OPERATION = re.compile(
    r"^\s*(?:#[^\n]*\n\s*)*(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)"
)


def current_request() -> RequestInfo | None:
    return _request.get()


class _Labels:
    """Operation names come from clients: keep the metrics' label values bounded."""

    limit = 200

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, name: str) -> str:
        if name in self.seen:
            return name
        with self.lock:
            if len(self.seen) >= self.limit:
                return "other"
            self.seen.add(name)
        return name


_operation_label = _Labels()


def operation_name(operation: Any, query: Any) -> str:
    """The GraphQL operation's name: the request's operationName, else the name of the first
    operation in the document, else "anonymous"."""
    if isinstance(operation, str) and operation:
        name = operation
    else:
        match = _FIRST_OPERATION.match(query) if isinstance(query, str) else None
        name = match.group(2) if match else "anonymous"
    return _operation_label(name) if _OPERATION.match(name) else "invalid"


# -- metrics ---------------------------------------------------------------------------------

# The `_created` timestamp series double the output and no dashboard of ours reads them.
disable_created_metrics()

HTTP_REQUESTS = Counter(
    "registry_http_requests",
    "HTTP requests answered, by handler, GraphQL operation name (- for other handlers) and "
    "status code.",
    ["handler", "operation", "status"],
)
HTTP_SECONDS = Histogram(
    "registry_http_request_duration_seconds",
    "Time from receiving an HTTP request to the end of its answer, by handler.",
    ["handler"],
)
GRAPHQL_SECONDS = Histogram(
    "registry_graphql_execution_seconds",
    "Time to answer one GraphQL operation (parse, validate, execute; or the answer cache), by "
    "operation name.",
    ["operation"],
)
RESOLVER_SECONDS = Histogram(
    "registry_graphql_resolver_seconds",
    "Time of each root field's resolver (with everything nested below it), by field.",
    ["field"],
)
IMPORTS = Counter(
    "registry_imports",
    "Minutes files imported over POST /import, by outcome (imported, unchanged, corrected, "
    "refused, failed).",
    ["outcome"],
)
EVENT_WRITES = Counter(
    "registry_event_writes",
    "Atomic writes of events (commands, imported files) committed by this process.",
)
for _outcome in ("imported", "unchanged", "corrected", "refused", "failed"):
    IMPORTS.labels(outcome=_outcome)

HANDLERS = ("/graphql", "/import", "/livez", "/readyz", "/healthz", "/metrics", "/docs")
_QUIET = {"/livez", "/readyz", "/healthz", "/metrics"}  # probes and scrapes: debug level


def handler_of(path: str) -> str:
    for handler in HANDLERS:
        if path == handler or path.startswith(handler + "/"):
            return handler
    return "other"


def record_import(outcome: str) -> None:
    """Count one POST /import by its outcome."""
    IMPORTS.labels(outcome=outcome).inc()


def time_root_resolvers(schema: Any) -> None:
    """Time every root field's resolver (queries and mutations) for
    registry_graphql_resolver_seconds, by wrapping the resolvers of the built schema's root
    types once (every variant of the schema shares them). Not a strawberry `resolve`
    extension: strawberry would then route every nested field through it too, which cost
    5-14% of a large answer's time (benchmarks/observability_overhead.py)."""
    core = getattr(schema, "_schema", schema)
    for root in (core.query_type, core.mutation_type):
        if root is None:
            continue
        for name, field in root.fields.items():
            resolve = field.resolve
            if resolve is None or getattr(resolve, "_timed", False):
                continue
            field.resolve = _timed(name, resolve)


def _timed(field: str, resolve: Callable[..., Any]) -> Callable[..., Any]:
    histogram = RESOLVER_SECONDS.labels(field=field)

    def timed(root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = resolve(root, info, *args, **kwargs)
        if isawaitable(result):

            async def finish() -> Any:
                try:
                    return await result
                finally:
                    histogram.observe(time.perf_counter() - start)

            return finish()
        histogram.observe(time.perf_counter() - start)
        return result

    timed._timed = True  # type: ignore[attr-defined]
    return timed


class ObservedGraphQLRouter(GraphQLHTTPRouter):
    """The GraphQL router, telling the request's log line and the metrics which operation
    ran and how long it took."""

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: Any,
    ) -> Any:
        operation = operation_name(request_data.operation_name, request_data.query)
        info = _request.get()
        if info is not None:
            info.operation = operation
        start = time.perf_counter()
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        finally:
            GRAPHQL_SECONDS.labels(operation=operation).observe(time.perf_counter() - start)


class StoreCollector(Collector):
    """Figures read at scrape time from the app being served: the answer cache's counters,
    the store's last position, each read model's position and lag, the heartbeat's age. The
    default registry holds one of these; `watch` points it at the current app."""

    def __init__(self) -> None:
        self._state: weakref.ReferenceType[Any] | None = None

    def watch(self, state: Any) -> None:
        self._state = weakref.ref(state)

    def collect(self) -> Iterator[Any]:
        state = self._state() if self._state is not None else None
        if state is None:
            return
        cache = getattr(state, "answer_cache", None)
        hits = CounterMetricFamily(
            "registry_answer_cache_hits", "GraphQL answers served from the answer cache."
        )
        misses = CounterMetricFamily(
            "registry_answer_cache_misses", "GraphQL answers the answer cache did not hold."
        )
        hits.add_metric([], cache.hits if cache else 0)
        misses.add_metric([], cache.misses if cache else 0)
        yield hits
        yield misses
        runner = state.runner
        up = GaugeMetricFamily("registry_store_up", "1 when the store answered this scrape.")
        try:
            events = state.registry.max_position()
            projected = runner.position()
            beat = heartbeat.latest(runner.views, runner.name)
        except Exception:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        last = GaugeMetricFamily(
            "registry_events_position", "Position of the last event in the event store."
        )
        last.add_metric([], events)
        yield last
        position = GaugeMetricFamily(
            "registry_projection_position",
            "Position of the last event applied to each read model.",
            labels=["read_model"],
        )
        lag = GaugeMetricFamily(
            "registry_projection_lag_events",
            "Events recorded but not yet applied to each read model.",
            labels=["read_model"],
        )
        for model in runner.views.read_models:
            name = getattr(model, "name", type(model).__name__)
            position.add_metric([name], projected)
            lag.add_metric([name], max(0, events - projected))
        yield position
        yield lag
        age = GaugeMetricFamily(
            "registry_projection_heartbeat_age_seconds",
            "Seconds since a projection runner last recorded its heartbeat in the store "
            "(absent when none ever did).",
        )
        if beat is not None:
            age.add_metric([], beat.age)
        yield age


STORE_COLLECTOR = StoreCollector()
REGISTRY.register(STORE_COLLECTOR)


# -- readiness -------------------------------------------------------------------------------


def readiness(
    registry: Any, runner: Any, runs_projections: bool, max_lag: int, heartbeat_age: int
) -> str | None:
    """None when ready, else why not (for operators: no paths, users or hosts)."""
    if runs_projections and runner.error is not None:
        return (
            "this process's projection runner stopped on an error "
            f"({type(runner.error).__name__}); see the log"
        )
    try:
        events = registry.max_position()
        projected = runner.position()
        beat = heartbeat.latest(runner.views, runner.name)
    except Exception as error:
        log.warning("readiness: the store did not answer: %s", type(error).__name__)
        return f"the store did not answer ({type(error).__name__})"
    if beat is None:
        return (
            "no projection runner has ever run on this store: serve with projections or "
            "start `registry project`"
        )
    if beat.age > heartbeat_age:
        return (
            f"no projection runner is alive: the last heartbeat is {beat.age:.0f} s old "
            f"(at most {heartbeat_age} s allowed); start `registry project` or serve with "
            "projections"
        )
    behind = events - projected
    if behind > max_lag:
        return f"the read models are {behind} events behind the event log (at most {max_lag})"
    return None


# -- logs ------------------------------------------------------------------------------------

_RECORD_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "operation")


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _RECORD_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        info = _request.get()
        if info is not None and "request_id" not in entry:
            entry["request_id"] = info.request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a terminal: time, level, message, then the request's fields as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        parts = [stamp, f"{record.levelname:<7}", record.getMessage()]
        info = _request.get()
        for key in _RECORD_FIELDS:
            value = getattr(record, key, None)
            if value is None and key == "request_id" and info is not None:
                value = info.request_id
            if value is not None:
                parts.append(f"{key}={value}")
        line = " ".join(str(p) for p in parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(log_format: str = "auto", level: str = "info") -> str:
    """Send every log record (ours, uvicorn's, the libraries') to stderr in one format;
    returns the format chosen ("auto": text on a terminal, else JSON)."""
    chosen = log_format
    if chosen == "auto":
        chosen = "text" if sys.stderr.isatty() else "json"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Uvicorn's loggers go through the root handler; its access log is replaced by ours
    # (one line per request with the request id and the GraphQL operation).
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    logging.captureWarnings(True)
    return chosen


# -- the middleware --------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class RequestObserver:
    """ASGI middleware: a request id, one log line and the request metrics per HTTP request."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        info = RequestInfo(request_id)
        token = _request.set(info)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - start
            path = scope.get("path", "")
            handler = handler_of(path)
            HTTP_REQUESTS.labels(
                handler=handler, operation=info.operation or "-", status=str(status)
            ).inc()
            HTTP_SECONDS.labels(handler=handler).observe(duration)
            log.log(
                logging.DEBUG if handler in _QUIET and status < 500 else logging.INFO,
                "%s %s %s",
                scope.get("method", ""),
                path,
                status,
                extra={
                    "request_id": request_id,
                    "method": scope.get("method", ""),
                    "path": path,
                    "status": status,
                    "duration_ms": round(duration * 1000, 2),
                    "operation": info.operation,
                },
            )
            _request.reset(token)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A subscription connection: its id on the lines logged while it is open, and one
        line when it ends (the status is the close code)."""
        request_id = _request_id(scope)
        token = _request.set(RequestInfo(request_id))
        start = time.perf_counter()
        code: int | None = None

        async def send_close_code(message: Message) -> None:
            nonlocal code
            if message["type"] == "websocket.close":
                code = message.get("code", 1000)
            await send(message)

        try:
            await self.app(scope, receive, send_close_code)
        finally:
            path = scope.get("path", "")
            log.info(
                "WEBSOCKET %s closed",
                path,
                extra={
                    "request_id": request_id,
                    "method": "WEBSOCKET",
                    "path": path,
                    "status": code,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                },
            )
            _request.reset(token)


def _request_id(scope: Scope) -> str:
    """The client's X-Request-ID when it is a sensible one, else a new random id."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given = value.decode("latin-1").strip()
            if _REQUEST_ID.match(given):
                return given
            break
    return uuid.uuid4().hex
