"""Static checks over src/: ``mypy --strict`` and ruff, run as tests so CI enforces them."""

from __future__ import annotations

import ast
import re
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


def test_the_working_directory_guard_sees_a_stray_file(tmp_path: Path) -> None:
    from tests.conftest import new_entries

    before = {p.name for p in tmp_path.iterdir()}
    (tmp_path / ".hypothesis").mkdir()
    assert new_entries(before, tmp_path) == []  # caches are not outputs
    (tmp_path / "obdident-20261204-120000.json").write_text("{}")
    assert new_entries(before, tmp_path) == ["obdident-20261204-120000.json"]


def test_no_machine_paths_in_the_package_or_its_documents() -> None:
    """Sources and documents cite paths relative to the repository, never a machine's own folders."""
    machine = re.compile(r"(?<![\w.])/(?:work|root)/\w")
    files = [*(ROOT / "src").rglob("*.py"), *(ROOT / "hw-fixtures").rglob("*.md"), ROOT / "README.md"]
    found = [str(p.relative_to(ROOT)) for p in files if machine.search(p.read_text(encoding="utf-8"))]
    assert found == []


def test_the_sessions_readme_points_to_the_guards_masks() -> None:
    text = (ROOT / "hw-fixtures" / "sessions" / "README.md").read_text(encoding="utf-8")
    for path in re.findall(r"`(src/obdident/[\w/]+\.py)`", text):
        assert (ROOT / path).exists(), path
    assert "src/obdident/guard/masks.py" in text


def test_install_commands_install_from_the_repository_never_by_name() -> None:
    """obdident is not on a package index: no install command the README or the program gives names it for
    an index to resolve, and README gives Linux/macOS and Windows forms and the Python versions."""
    from obdident import ui

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"pip(?:x)? install ([^&\n`)]+)", readme + "\n" + ui.INSTALL)
    assert commands
    for target in commands:
        named = [w.strip("'\"") for w in target.split() if not w.startswith("-")]
        assert not any(w.startswith("obdident") for w in named), (
            f"install {target} names obdident for an index"
        )
    assert ".venv\\Scripts\\obdident ui" in readme and ".venv/bin/obdident ui" in readme
    assert ".venv\\Scripts\\obdident scan --demo" in readme and "Python 3.11 or newer" in readme
