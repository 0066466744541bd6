"""Bad minutes files are refused with the path inside the file, and nothing of them is
written, on both stores. Each file in tests/import_cases/bad/ says in its first lines what
is wrong with it (`# expect-path:`, `# expect-code:`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.importing import ImportRefused, import_file, import_text

CASES = Path(__file__).parent / "import_cases"
BAD = sorted((CASES / "bad").glob("*.yaml"))


def expectation(path: Path) -> tuple[str, str]:
    text = path.read_text()
    where = re.search(r"^# expect-path: ?(.*)$", text, re.M)
    code = re.search(r"^# expect-code: (.*)$", text, re.M)
    assert where and code, f"{path.name} does not say what it expects"
    return where.group(1).strip(), code.group(1).strip()


def test_the_bad_files_differ_from_a_file_that_imports(registry):
    assert import_file(registry, CASES / "valid-small.yaml").status == "imported"


@pytest.mark.parametrize("case", BAD, ids=[p.stem for p in BAD])
def test_a_bad_file_is_refused_with_its_path_and_nothing_is_written(registry, case):
    import_file(registry, CASES / "statement.json")  # the registry is not empty
    position = registry.max_position()
    path, code = expectation(case)
    with pytest.raises(ImportRefused) as refused:
        import_file(registry, case)
    assert [(p.path, p.code) for p in refused.value.problems] == [(path, code)], str(refused.value)
    assert str(refused.value).startswith(f"{case}: {path}: " if path else f"{case}: ")
    assert registry.max_position() == position


def test_the_set_covers_the_cases_the_issue_names():
    names = {p.stem for p in BAD}
    assert {
        "missing-field",
        "wrong-type",
        "unknown-person",
        "negative-amount",
        "fund-exceeded",
        "end-before-start",
        "unknown-agreement",
        "invalid-date",
    } <= names


def test_every_schema_problem_of_a_file_is_reported_at_once(registry):
    text = (CASES / "bad" / "invalid-date.yaml").read_text()
    text = text.replace("purpose: c, amount: 20000", "purpose: c, amount: -1")
    text = text.replace("title: Avtal\n", "titel: Avtal\n")
    with pytest.raises(ImportRefused) as refused:
        import_text(registry, text, "many.yaml")
    assert [p.path for p in refused.value.problems] == [
        "items[2].decisions[0].agreements[0].valid_from",
        "items[2].titel",
        "items[2].title",
        "items[4].decisions[0].allocations[2].amount",
    ]
    assert registry.max_position() == 0


def test_a_refused_command_late_in_a_file_voids_everything_before_it(registry):
    with pytest.raises(ImportRefused):
        import_file(registry, CASES / "bad" / "fund-exceeded.yaml")
    assert registry.max_position() == 0
    assert import_file(registry, CASES / "valid-small.yaml").status == "imported"


def test_a_file_that_is_not_a_mapping_is_refused(registry):
    with pytest.raises(ImportRefused) as refused:
        import_text(registry, "- just\n- a list\n", "list.yaml")
    assert [(p.path, p.code) for p in refused.value.problems] == [("", "WRONG_TYPE")]


def test_a_key_written_twice_is_refused_not_overwritten(registry):
    text = (
        (CASES / "valid-small.yaml")
        .read_text()
        .replace("date: 2021-04-01\n", "date: 2021-04-01\ndate: 2021-04-02\n")
    )
    with pytest.raises(ImportRefused) as refused:
        import_text(registry, text, "twice.yaml")
    (problem,) = refused.value.problems
    assert problem.code == "SYNTAX_ERROR" and "'date' is written twice" in problem.message
