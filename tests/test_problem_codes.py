"""Problem codes are listed once (issue 19, "Words as data"): every code the package can raise is in
:data:`obdident.problems.PROBLEMS` with its meaning and in the README's "Problem codes" table, and every
problem a scan files carries its owner sentence as data (a message id and parameters), never only English.

The codes the package can raise are found in its source: the first argument of ``Problem.of(...)``,
``state.problem(...)`` / ``result.problem(...)``, ``stopped_problem(...)``, ``Flaw(...)`` (the adapter's
flaws) and the journey's ``_failed(...)`` (a string, or a module constant naming one), the strings the code
choosers ``_code`` / ``_failure_code`` return, and every error class's ``code`` (``err.code`` is the problem
code a scan stopped by that error files).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from obdident.i18n import Text
from obdident.problems import PROBLEMS
from obdident.scanning import scan

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "obdident"
PROFILES = sorted(p.stem for p in (ROOT / "hw-fixtures" / "profiles").glob("*.toml"))
_CALLS = {"of", "problem", "stopped_problem", "Flaw", "_failed"}
_CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _constants(tree: ast.Module) -> dict[str, str]:
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def _call_code(node: ast.Call, constants: dict[str, str]) -> str | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in _CALLS or not node.args:
        return None
    if name == "of" and getattr(getattr(func, "value", None), "id", "") != "Problem":
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return constants.get(first.id) if isinstance(first, ast.Name) else None


def _class_code(node: ast.ClassDef) -> str | None:
    for statement in node.body:
        target = statement.target if isinstance(statement, ast.AnnAssign) else None
        if isinstance(statement, ast.Assign):
            target = statement.targets[0]
        value = getattr(statement, "value", None)
        if isinstance(target, ast.Name) and target.id == "code" and isinstance(value, ast.Constant):
            return str(value.value)
    return None


def _chosen_codes(node: ast.FunctionDef) -> list[str]:
    """The codes a code chooser returns (or picks in a conditional expression)."""
    return [
        leaf.value
        for sub in ast.walk(node)
        if isinstance(sub, (ast.Return, ast.IfExp))
        for leaf in ast.walk(sub)
        if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str)
        if _CODE.fullmatch(leaf.value) and len(leaf.value) > 3  # not a one-letter flag
    ]


def raised_codes() -> dict[str, str]:
    """Every problem code literal in the package's source -> the file it is in."""
    codes: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants, where = _constants(tree), str(path.relative_to(SRC))
        for node in ast.walk(tree):
            found: list[str | None] = []
            if isinstance(node, ast.Call):
                found = [_call_code(node, constants)]
            elif isinstance(node, ast.ClassDef):
                found = [_class_code(node)]
            elif isinstance(node, ast.FunctionDef) and node.name in ("_code", "_failure_code", "file_stop"):
                found = list(_chosen_codes(node))
            for code in found:
                if code is not None:
                    codes.setdefault(code, where)
    return codes


def test_every_code_the_package_can_raise_is_listed_with_its_meaning() -> None:
    codes = raised_codes()
    assert len(codes) > 40  # the finder finds them (today 45)
    missing = {code: where for code, where in codes.items() if code not in PROBLEMS}
    assert not missing, f"problem codes raised but not in obdident.problems.PROBLEMS: {missing}"
    assert all(_CODE.fullmatch(code) for code in PROBLEMS)
    assert all(meaning.strip() and meaning == meaning.strip() for meaning in PROBLEMS.values())


def test_every_listed_code_is_raised_somewhere() -> None:
    stale = sorted(set(PROBLEMS) - set(raised_codes()))
    assert not stale, f"listed in PROBLEMS but raised nowhere: {stale}"


def test_every_listed_code_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Problem codes") :]
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+?) \|$", table, re.MULTILINE))
    assert sorted(rows) == sorted(PROBLEMS), "the README's Problem codes table lists exactly PROBLEMS"


@pytest.mark.parametrize("profile", PROFILES)
def test_every_problem_of_every_built_in_profile_carries_its_sentence_as_data(profile: str) -> None:
    report = scan(f"sim://{profile}")
    for problem in report.problems:
        assert problem.code in PROBLEMS
        assert isinstance(problem.text, Text) and problem.text.msgid, problem
        assert problem.message.startswith(str(problem.text)), problem
        assert problem.summary == problem.text
    for data in report.to_dict()["problems"]:
        assert data["msgid"] and isinstance(data["params"], dict), data
