"""Reading a minutes file: YAML or JSON text to data, checked against the JSON Schema.

YAML is read as YAML 1.2 reads it where 1.1 surprises hand-written files: dates stay text
(the schema checks them), only `true` and `false` are booleans (a key `on` or a name `No`
stays text), and a key written twice in one mapping is an error instead of a silent
overwrite.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import yaml

from registry.importing.problems import Problem, join_path, path_of, path_order

SCHEMA_FILE = "minutes.schema.json"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the minutes format (registry/importing/minutes.schema.json)."""
    text = resources.files("registry.importing").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        _inlined(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default"})


@cache
def _inlined() -> dict[str, Any]:
    """The schema with every `{"$ref": "#/$defs/name"}` (beside at most annotations such as a
    description) replaced by the definition itself: the same constraints, checked without a
    reference lookup per value (which took half of the validation of a minutes file). The
    schema has no recursive definitions; a reference it cannot replace stays as it is."""
    original = schema()
    defs = original.get("$defs", {})
    done: dict[str, Any] = {}

    def resolve(name: str, seen: tuple[str, ...]) -> Any:
        if name not in done:
            done[name] = walk(defs[name], (*seen, name))
        return done[name]

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(v, seen) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name in defs and name not in seen and set(node) - {"$ref"} <= _ANNOTATIONS:
                return resolve(name, seen)
        return {k: walk(v, seen) if k != "$defs" else v for k, v in node.items()}

    inlined = walk(original, ())
    inlined["$defs"] = {name: resolve(name, ()) for name in defs}
    return inlined  # type: ignore[no-any-return]


class _OneKeyOnce:
    """Refuses a key written twice in one mapping (mixed into a SafeLoader)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key!r} is written twice in one mapping",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc,no-any-return]


class _Loader(_OneKeyOnce, yaml.SafeLoader):
    """SafeLoader without timestamps and YAML 1.1 booleans, refusing duplicate keys."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# The same loader on libyaml's C parser where PyYAML was built with it (about 10x faster
# on a minutes file). Only the parsing is in C: the constructor, which refuses duplicate
# keys, and the resolver, which decides what is a bool and keeps dates as text, are the
# Python ones above, so both loaders read every file alike.
_CSafeLoader: Any = getattr(yaml, "CSafeLoader", None)
if _CSafeLoader is not None:

    class _FastLoader(_OneKeyOnce, _CSafeLoader):  # type: ignore[misc,valid-type]
        """_Loader on the C parser."""

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _LOADER: Any = _FastLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _LOADER = _Loader


# Bounds checked on the YAML event stream, before anything is composed or expanded: a
# "billion laughs" file (nested anchors, each aliased many times) is a few KB of text that
# expands to gigabytes. The format only ever needs an alias to repeat a text (see
# examples/001-*.yaml), so an alias to a list or mapping is refused outright, and the number
# of aliases, the nesting depth and the length of one text are bounded.
MAX_ALIASES = 1_000
MAX_DEPTH = 64
MAX_TEXT_CHARS = 100_000
_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when built


def _where(event: Any) -> str:
    return f" (line {event.start_mark.line + 1}, column {event.start_mark.column + 1})"


def _too_much(text: str) -> Problem | None:
    """The first bound the YAML `text` breaks, as a problem with its line; else None."""
    anchors: dict[str, bool] = {}  # anchor -> it names a list or mapping
    aliases = depth = 0
    parser = _Parser(text)
    scalar, start, end, alias = (
        yaml.ScalarEvent,
        yaml.CollectionStartEvent,
        yaml.CollectionEndEvent,
        yaml.AliasEvent,
    )
    try:
        # The kinds of event are disjoint: the commonest is tested first, and the position
        # is put in words only for the event that breaks a bound.
        while (event := parser.get_event()) is not None:
            if isinstance(event, scalar):
                if event.anchor:
                    anchors[event.anchor] = False
                if len(event.value) > MAX_TEXT_CHARS:
                    return Problem(
                        "",
                        f"a text of {len(event.value)} characters{_where(event)}; "
                        f"at most {MAX_TEXT_CHARS} are accepted",
                        "TOO_LARGE",
                    )
            elif isinstance(event, start):
                depth += 1
                if event.anchor:
                    anchors[event.anchor] = True
                if depth > MAX_DEPTH:
                    return Problem(
                        "", f"nested more than {MAX_DEPTH} levels deep{_where(event)}", "TOO_LARGE"
                    )
            elif isinstance(event, end):
                depth -= 1
            elif isinstance(event, alias):
                aliases += 1
                if anchors.get(event.anchor or "", False):
                    return Problem(
                        "",
                        f"the alias *{event.anchor} repeats a list or mapping{_where(event)}; "
                        "aliases may only repeat a text",
                        "TOO_LARGE",
                    )
                if aliases > MAX_ALIASES:
                    return Problem(
                        "", f"more than {MAX_ALIASES} aliases (*name){_where(event)}", "TOO_LARGE"
                    )
    finally:
        parser.dispose()
    return None


def parse(text: str, fmt: str) -> tuple[Any, list[Problem]]:
    """Parse `text` as `fmt` ("yaml" or "json"); a syntax error is one problem with the line."""
    if fmt == "json":
        try:
            return json.loads(text), []
        except json.JSONDecodeError as error:
            return None, [
                Problem(
                    "",
                    f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
                    "SYNTAX_ERROR",
                )
            ]
        except RecursionError:  # nesting deeper than the parser's stack: refuse, not a 500
            return None, [Problem("", "not valid JSON: nested too deep", "TOO_LARGE")]
    try:
        if (problem := _too_much(text)) is not None:
            return None, [problem]
        return yaml.load(text, Loader=_LOADER), []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return None, [Problem("", f"not valid YAML: {problem}{where}", "SYNTAX_ERROR")]


def format_for(name: str, content_type: str | None = None) -> str:
    """ "json" for a .json file or a JSON content type, else "yaml" (YAML reads JSON too)."""
    if content_type and "json" in content_type.lower():
        return "json"
    return "json" if name.lower().endswith(".json") else "yaml"


# -- schema errors in words a secretary can act on ---------------------------------------


def validate(data: Any) -> list[Problem]:
    """Every place where `data` breaks the schema, in document order."""
    problems: list[Problem] = []
    for error in _validator().iter_errors(data):
        problems.extend(_explain(error))
    seen: set[tuple[str, str]] = set()
    unique = []
    for p in problems:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            unique.append(p)
    return sorted(unique, key=lambda p: path_order(p.path))


_IMPRECISE = re.compile(r"^[0-9]{4}(-[0-9]{2})?$")

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping (key: value)",
    "null": "empty",
}


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _def_name(subschema: Any) -> str | None:
    for name, definition in _inlined()["$defs"].items():
        if definition is subschema or definition == subschema:
            return name
    return None


def _explain(error: jsonschema.ValidationError) -> list[Problem]:
    path = path_of(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "required":
        missing = [k for k in error.validator_value if k not in value]
        return [
            Problem(join_path(path, k), "is missing (required)", "MISSING_FIELD") for k in missing
        ]
    if kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = [k for k in value if k not in allowed]
        problems = []
        for key in extra:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
            problems.append(
                Problem(join_path(path, str(key)), f"unknown field{hint}", "UNKNOWN_FIELD")
            )
        return problems
    if kind == "type":
        types = (
            error.validator_value
            if isinstance(error.validator_value, list)
            else [error.validator_value]
        )
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
        return [Problem(path, f"must be {wanted}, not {_shown(value)}", "WRONG_TYPE")]
    if (kind == "format" and error.validator_value == "date") or (
        kind == "pattern" and "[0-9]{4}-" in str(error.validator_value)
    ):
        if isinstance(value, str) and _IMPRECISE.match(value):
            return [
                Problem(
                    path,
                    f"{_shown(value)} gives only the {'year' if len(value) == 4 else 'month'}; "
                    "this field needs the day (YYYY-MM-DD): use its _not_after bound where it "
                    "has one and say what the document gives in the note (a decision's date, "
                    "cessations and renames take YYYY-MM or YYYY)",
                    "IMPRECISE_DATE",
                )
            ]
        return [Problem(path, f"{_shown(value)} is not a date (YYYY-MM-DD)", "INVALID_DATE")]
    if kind == "pattern" and "[0-9]{4}(" in str(error.validator_value):
        return [
            Problem(
                path, f"{_shown(value)} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)", "INVALID_DATE"
            )
        ]
    if kind in ("minLength", "pattern") and error.validator_value in (1, "\\S"):
        return [Problem(path, "must not be empty", "MISSING_FIELD")]
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        listed = ", ".join(_shown(a) for a in allowed)
        return [Problem(path, f"must be one of {listed}, not {_shown(value)}", "INVALID_VALUE")]
    if kind == "minItems":
        return [Problem(path, "must list at least one", "MISSING_FIELD")]
    if kind == "minimum":
        return [Problem(path, f"must not be negative (got {_shown(value)})", "INVALID_VALUE")]
    if kind == "uniqueItems":
        return [Problem(path, "lists the same value twice", "INVALID_VALUE")]
    if kind == "anyOf" and all("required" in s for s in error.validator_value):
        options = " or ".join(
            " with ".join(repr(k) for k in s["required"]) for s in error.validator_value
        )
        return [Problem(path, f"needs {options}", "MISSING_FIELD")]
    if kind in ("oneOf", "anyOf"):
        return _explain_union(error, path, value)
    return [Problem(path, error.message, "INVALID_VALUE")]


def _explain_union(error: jsonschema.ValidationError, path: str, value: Any) -> list[Problem]:
    if _def_name(error.schema) == "amount":
        negative = (
            isinstance(value, int | float) and not isinstance(value, bool) and value < 0
        ) or (isinstance(value, str) and value.strip().startswith("-"))
        if negative:
            return [Problem(path, f"must not be negative (got {_shown(value)})", "INVALID_AMOUNT")]
        return [
            Problem(
                path,
                f'must be an amount in SEK: a whole number, or text such as "600 000" or '
                f'"94000.50" (got {_shown(value)})',
                "INVALID_AMOUNT",
            )
        ]
    # A reference or a declaration: report what is wrong in the branch of the value's type.
    wanted = "object" if isinstance(value, dict) else "string" if isinstance(value, str) else None
    branch_errors = [
        e
        for e in error.context or []
        if wanted is not None and _branch_type(error, e) == wanted and e.validator != "type"
    ]
    if branch_errors:
        problems: list[Problem] = []
        for e in branch_errors:
            problems.extend(_explain(e))
        return problems
    types = sorted({t for t in (_branch_type(error, e) for e in error.context or []) if t})
    wanted_words = " or ".join(_TYPE_WORDS.get(t, t) for t in types) or "something else"
    return [Problem(path, f"must be {wanted_words}, not {_shown(value)}", "WRONG_TYPE")]


def _branch_type(union: jsonschema.ValidationError, sub: jsonschema.ValidationError) -> str | None:
    index = sub.relative_schema_path[0] if sub.relative_schema_path else None
    if not isinstance(index, int):
        return None
    branch = union.validator_value[index]
    if "$ref" in branch:
        name = branch["$ref"].rsplit("/", 1)[-1]
        branch = schema()["$defs"].get(name, {})
    return branch.get("type")
