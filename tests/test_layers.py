"""The house's shape: imports point down the floors (import-linter contracts in pyproject.toml), no module
imports itself back through another, and no module is longer than a reader can hold (400 lines)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "obdident"


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert tool, "import-linter is a test dependency"
    return subprocess.run([tool], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_the_import_linter_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contracts_catch_an_import_pointing_up(tmp_path: Path) -> None:
    # A copy of the package in which the scan imports a renderer: the contracts must break.
    shutil.copytree(SRC, tmp_path / "src" / "obdident")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    runner = tmp_path / "src" / "obdident" / "scanning" / "runner.py"
    runner.write_text("import obdident.report.text  # an import pointing up\n" + runner.read_text("utf-8"))
    env_path = str(tmp_path / "src")
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = subprocess.run(
        [tool], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        env={"PYTHONPATH": env_path, "PATH": str(Path(sys.executable).parent)},
    )  # fmt: skip
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout + result.stderr


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: Collection[str]) -> set[str]:
    """Module-level imports of obdident modules, TYPE_CHECKING blocks left out (they never run)."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.module and inner.module.startswith("obdident"):
                for alias in inner.names:  # ``from package import submodule`` imports the submodule
                    name = f"{inner.module}.{alias.name}"
                    found.add(name if name in modules else inner.module)
            elif isinstance(inner, ast.Import):
                found |= {a.name for a in inner.names if a.name.startswith("obdident")}
    return found


def test_no_import_circle() -> None:
    modules = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph = {
        name: {m for m in _imports(path, modules) if m in modules and m != name}
        for name, path in modules.items()
    }
    seen: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                pytest.fail("import circle: " + " -> ".join([*path[path.index(nxt) :], nxt]))
            if nxt not in seen:
                visit(nxt, [*path, nxt])
        seen[node] = 2

    for name in sorted(graph):
        if name not in seen:
            visit(name, [name])


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_over_400_lines(path: Path) -> None:
    assert len(path.read_text("utf-8").splitlines()) <= 400
