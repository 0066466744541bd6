"""Stable error codes for every GraphQL error, and no internals in any of them.

Every error the API answers carries `extensions.code`, so a client can act on the code and show
the message:

| code | when |
|---|---|
| GRAPHQL_PARSE_FAILED | the document is not GraphQL |
| GRAPHQL_VALIDATION_FAILED | the document does not fit the schema (unknown field, ...) |
| QUERY_TOO_DEEP, TOO_MANY_ALIASES, TOO_MANY_TOKENS | a limit of `api.limits` |
| BAD_USER_INPUT | a variable or argument value is wrong |
| a registry error's own code | a command was refused (`registry.errors`, e.g. NOT_A_MEMBER) |
| UNAUTHENTICATED, FORBIDDEN | bad credentials; an identity without the role or grant (api/identity.py) |
| INTERNAL_SERVER_ERROR | anything unexpected: message "Internal server error", logged |

Codes a resolver gives (`GraphQLError(..., extensions={"code": ...})`) are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from graphql.validation import ASTValidationRule, MaxIntrospectionDepthRule, ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import PreExecutionError, StreamExecutionResult

from api.identity import Forbidden, Unauthenticated
from registry.errors import RegistryError

GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
INTERNAL_SERVER_ERROR_MESSAGE = "Internal server error"


def code_of(error: GraphQLError) -> str | None:
    return (error.extensions or {}).get("code")


def with_code(
    error: GraphQLError, code: str, message: str | None = None, **extra: Any
) -> GraphQLError:
    """A copy of `error` with `code` (errors may be shared by the validation cache, so they are
    never changed in place)."""
    return GraphQLError(
        message if message is not None else error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={**(error.extensions or {}), "code": code, **extra},
    )


def is_unexpected(error: GraphQLError) -> bool:
    """An exception that no one raised on purpose: a bug or an outage, not the client's doing."""
    original = error.original_error
    return original is not None and not isinstance(
        original, (GraphQLError, RegistryError, Unauthenticated, Forbidden)
    )


def masked(error: GraphQLError) -> GraphQLError:
    """`error` as the client sees an unexpected exception: no message, no internals.
    strawberry has already logged the original with its traceback."""
    return GraphQLError(
        INTERNAL_SERVER_ERROR_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": INTERNAL_SERVER_ERROR},
    )


def _reporting_code(rule: type[ASTValidationRule], code: str) -> type[ASTValidationRule]:
    """`rule`, with `code` on the errors it reports."""

    class Coded(rule):  # type: ignore[valid-type, misc]
        def report_error(self, error: GraphQLError) -> None:
            super().report_error(with_code(error, code))

    Coded.__name__ = Coded.__qualname__ = rule.__name__
    return Coded


# graphql-core's own rules whose errors deserve a more specific code than "validation failed".
# Built once: the validation cache keys on the rule classes.
_CODED_RULES: dict[type[ASTValidationRule], type[ASTValidationRule]] = {
    ValuesOfCorrectTypeRule: _reporting_code(ValuesOfCorrectTypeRule, BAD_USER_INPUT),
    MaxIntrospectionDepthRule: _reporting_code(MaxIntrospectionDepthRule, QUERY_TOO_DEEP),
}


class ErrorCodes(SchemaExtension):
    """Gives every error of an operation its `extensions.code` and masks unexpected exceptions
    (see the module docstring).

    List it first among the schema's extensions: its after-hooks then run last and see every
    error the other extensions let through.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            _CODED_RULES.get(rule, rule) for rule in context.validation_rules
        )
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            before_execution = isinstance(result, PreExecutionError)
            result.errors = [coded(error, before_execution) for error in errors]

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        errors = getattr(result, "errors", None)
        if errors:
            before_execution = isinstance(result, PreExecutionError)
            result.errors = [coded(error, before_execution) for error in errors]
        yield


def coded(error: GraphQLError, before_execution: bool) -> GraphQLError:
    """`error` with a stable code; `before_execution` tells a validation error from a variable
    that could not be coerced (both have no path)."""
    original = error.original_error
    if isinstance(original, RegistryError):
        extra = {"field": original.field} if original.field else {}
        extra.update(getattr(original, "extensions", None) or {})  # e.g. currentVersion
        return with_code(error, original.code, **extra)
    if isinstance(original, (Unauthenticated, Forbidden)):
        return with_code(error, original.code)
    if code_of(error):
        return error
    if is_unexpected(error):
        return masked(error)
    if isinstance(error, GraphQLSyntaxError):
        return _parse_error(error)
    if error.path is not None:
        # Raised while resolving (a null in a non-null field, a GraphQLError without a code):
        # the server's fault, and its message says nothing secret.
        return with_code(error, INTERNAL_SERVER_ERROR)
    return with_code(error, GRAPHQL_VALIDATION_FAILED if before_execution else BAD_USER_INPUT)


def _parse_error(error: GraphQLSyntaxError) -> GraphQLError:
    # graphql-core stops parsing at the token limit (`parse(max_tokens=...)`) and at its own
    # nesting limit, both reported as syntax errors although the document may be fine.
    message = error.message.removeprefix("Syntax Error: ")
    if "Parsing aborted" not in message:
        return with_code(error, GRAPHQL_PARSE_FAILED)
    code = TOO_MANY_TOKENS if "tokens" in message else QUERY_TOO_DEEP
    return with_code(error, code, message)


class ClientErrorsOnOneLine(logging.Filter):
    """strawberry logs every GraphQL error with its traceback. An error the client caused
    (bad input, a refused command, bad credentials) is logged as one line with its code;
    only unexpected ones keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.msg
        if isinstance(error, GraphQLError) and not is_unexpected(error):
            original = error.original_error
            code = code_of(error) or getattr(original, "code", None) or "GRAPHQL_ERROR"
            message = " ".join(error.message.split())
            path = ".".join(str(p) for p in error.path or ())
            record.msg = f"GraphQL error {code}: {message}" + (f" (at {path})" if path else "")
            record.args = ()
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def log_client_errors_on_one_line() -> None:
    """Install ClientErrorsOnOneLine on strawberry's logger (once)."""
    logger = logging.getLogger("strawberry.execution")
    if not any(isinstance(f, ClientErrorsOnOneLine) for f in logger.filters):
        logger.addFilter(ClientErrorsOnOneLine())
