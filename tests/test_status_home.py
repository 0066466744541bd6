"""Statuses are the domain's: api/ and projections/ never decide one themselves.

Every status of the public record (a decision's, an assignment's, an agreement's, a planned
meeting's, a project's, a consultation's, a body's, a decision's legal standing) is decided by
one function in registry/status/. GraphQL, the pages, the exports and the read models' stored
status runs call it. This test reads the source of api/ and projections/ and fails where a
function that answers a status

- does not reach a registry/status/ function (directly, or through functions of api/ and
  projections/ that do) and does not take the domain's answer as an argument (a parameter
  typed with a registry/status/ type: it only converts that answer), or
- orders values itself (`<`, `<=`, `>`, `>=`): the comparisons of days that make a status
  belong in registry/status/.

A function "answers a status" when its name says so (`status`, `..._status`, `status_...`)
or its return annotation is a status type (`...Status`, `Standing`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("api", "projections")
DOMAIN = "registry.status"

STATUS_NAME = re.compile(r"(^|_)status($|_)|(^|_)standing($|_)")
STATUS_TYPE = re.compile(r"(Status|Standing)\b")
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


@dataclass
class Function:
    module: str
    name: str
    line: int
    top_level: bool
    answers_status: bool
    orders: bool
    calls: set[str] = field(default_factory=set)
    calls_domain: bool = False


def _called_name(call: ast.Call) -> str | None:
    target = call.func
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Name):
        return target.id
    return None


def _domain_names(tree: ast.Module) -> set[str]:
    """Names this module binds to registry/status/ (modules or functions)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == DOMAIN or node.module.startswith(DOMAIN + "."):
                names |= {a.asname or a.name for a in node.names}
            elif node.module == "registry":
                names |= {a.asname or a.name for a in node.names if a.name == "status"}
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(DOMAIN):
                    names.add(a.asname or a.name.split(".")[0])
    return names


def _uses_domain(node: ast.AST, domain: set[str]) -> bool:
    """Whether `node` calls something bound to registry/status/ (`f(...)`, `m.f(...)`)."""
    for inner in ast.walk(node):
        if not isinstance(inner, ast.Call):
            continue
        target = inner.func
        while isinstance(target, ast.Attribute):
            target = target.value
        if isinstance(target, ast.Name) and target.id in domain:
            return True
    return False


def _takes_domain_answer(node: ast.FunctionDef | ast.AsyncFunctionDef, domain: set[str]) -> bool:
    """Whether a parameter is typed with a registry/status/ type (`standing: Standing`)."""
    for argument in node.args.args + node.args.kwonlyargs:
        if argument.annotation is None:
            continue
        for inner in ast.walk(argument.annotation):
            if isinstance(inner, ast.Name) and inner.id in domain:
                return True
            text = inner.value if isinstance(inner, ast.Constant) else None
            if isinstance(text, str) and set(re.findall(r"\w+", text)) & domain:
                return True
    return False


def _answers_status(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    if STATUS_NAME.search(node.name) and not node.name.startswith("_"):
        return True
    returns = node.returns
    return returns is not None and bool(STATUS_TYPE.search(ast.unparse(returns)))


def functions_of(source: str, module: str) -> list[Function]:
    """Every function and method in `source`, with what the checks need to know of it."""
    tree = ast.parse(source)
    domain = _domain_names(tree)
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        found.append(
            Function(
                module=module,
                name=node.name,
                line=node.lineno,
                top_level=id(node) in top_level,
                answers_status=_answers_status(node),
                orders=any(
                    isinstance(op, ORDERING)
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Compare)
                    for op in inner.ops
                ),
                calls={
                    name
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Call) and (name := _called_name(inner))
                },
                calls_domain=_uses_domain(node, domain) or _takes_domain_answer(node, domain),
            )
        )
    return found


def offences(functions: list[Function]) -> list[str]:
    """The status functions that decide a status themselves, as `module:line name: why`.
    A module-level function that reaches the domain passes it on to its callers (by name;
    methods do not, as their names, such as `status`, are shared by many)."""
    reaching = {f.name for f in functions if f.calls_domain and f.top_level}
    while True:
        more = {f.name for f in functions if f.top_level and f.calls & reaching} - reaching
        if not more:
            break
        reaching |= more
    found = []
    for f in functions:
        if not f.answers_status:
            continue
        where = f"{f.module}:{f.line} {f.name}"
        if f.orders:
            found.append(f"{where}: compares values (a status rule belongs in registry/status/)")
        elif not f.calls_domain and not f.calls & reaching:
            found.append(f"{where}: does not call registry/status/")
    return found


def checked_functions() -> list[Function]:
    functions = []
    for folder in CHECKED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            module = str(path.relative_to(ROOT))
            functions += functions_of(path.read_text(encoding="utf-8"), module)
    return functions


def test_api_and_projections_take_every_status_from_the_domain() -> None:
    assert checked_functions(), "nothing was read"
    assert offences(checked_functions()) == []


def test_the_domain_holds_a_function_for_each_status() -> None:
    modules = {p.stem for p in (ROOT / "registry" / "status").glob("*.py")} - {"__init__"}
    assert {
        "decision",
        "assignment",
        "agreement",
        "meeting_plan",
        "project",
        "consultation",
        "body",
        "legal",
    } <= modules


# -- the check itself can fail ----------------------------------------------------------------

DECIDES_ITSELF = """
class Agreement:
    def status(self, day):
        if self.until is not None and self.until < day:
            return AgreementStatus.EXPIRED
        return AgreementStatus.IN_FORCE
"""

MAPS_WITHOUT_THE_DOMAIN = """
def project_status(row, day) -> ProjectStatus:
    return ProjectStatus(row["status"])
"""

CONVERTS_THE_DOMAINS_ANSWER = """
from registry.status.legal import Standing

def legal_status_of(standing: Standing | None) -> LegalStatus | None:
    return LegalStatus(standing.status.value) if standing is not None else None
"""

ASKS_THE_DOMAIN = """
from registry.status import project as projects

def project_status(row, day) -> ProjectStatus:
    return ProjectStatus(projects.project_status(row["proposed"], day).value)

class Project:
    def status(self, day) -> ProjectStatus:
        return project_status(self.row, day)
"""


def test_the_check_finds_a_status_decided_outside_the_domain() -> None:
    (found,) = offences(functions_of(DECIDES_ITSELF, "api/x.py"))
    assert found.startswith("api/x.py:3 status: compares values")
    (found,) = offences(functions_of(MAPS_WITHOUT_THE_DOMAIN, "api/y.py"))
    assert found == "api/y.py:2 project_status: does not call registry/status/"
    assert offences(functions_of(ASKS_THE_DOMAIN, "api/z.py")) == []
    assert offences(functions_of(CONVERTS_THE_DOMAINS_ANSWER, "api/w.py")) == []
