"""Static checks over src/: ``mypy --strict`` and ruff, run as tests so CI enforces them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# python-OBD (GPL-2.0-only) and ELM327-emulator (non-commercial) stay test dependencies.
FOREIGN = {"obd", "elm", "elmulator"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_mypy_strict_is_clean_over_src() -> None:
    result = _run("mypy", "--strict", "src/obdident")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean_over_src_and_tests() -> None:
    result = _run("ruff", "check", "src", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_package_never_imports_python_obd_or_the_emulator() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(FOREIGN & _imported_modules(path))
        for path in (ROOT / "src").rglob("*.py")
        if FOREIGN & _imported_modules(path)
    }
    assert offenders == {}


def test_one_atomic_file_write() -> None:
    """Every file replaced whole goes through obdident.atomicfile.write_atomic: no other module renames."""
    renaming = sorted(
        str(path.relative_to(ROOT / "src"))
        for path in (ROOT / "src" / "obdident").rglob("*.py")
        if "os.replace(" in path.read_text("utf-8")
    )
    assert renaming == ["obdident/atomicfile.py"]
