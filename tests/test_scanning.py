"""The scan package's shape: its public names, the one address table, the one retry policy, the layering."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from obdident import errors, guard
from obdident.scanning.ask import FUNCTIONAL, PHYSICAL, RetryPolicy, Tries
from obdident.vehicles import addresses, nissan

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "obdident" / "scanning"


def test_the_root_scan_stays_the_function_when_the_scan_package_is_imported() -> None:
    script = (
        "import obdident\n"
        "function = obdident.scan\n"
        "import obdident.scanning\n"
        "from obdident.scanning import scan_port\n"
        "import obdident.scanning as package\n"
        "assert obdident.scan is function is package.scan, obdident.scan\n"
        "assert callable(obdident.scan) and obdident.scan.__module__ == 'obdident.scanning'\n"
        "assert obdident.scan_port is scan_port and package.__name__ == 'obdident.scanning'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_the_guards_session_targets_are_the_table_units_that_need_the_session() -> None:
    needing = {u.request_id: u for u in nissan.UNITS if u.needs_session}
    assert needing.keys() == guard.NISSAN_SESSION_TARGETS.keys()
    for request_id, unit in needing.items():
        assert guard.NISSAN_SESSION_TARGETS[request_id].startswith(f"{unit.name}:")
        assert unit.dialect == "kwp"  # 10 C0 is a KWP2000 StartDiagnosticSession


def test_the_legislated_ids_are_named_from_the_one_table() -> None:
    assert addresses.ADDRESSES and all(row in nissan.UNITS for row in addresses.ADDRESSES)
    for unit in nissan.UNITS:
        if unit.request_id in ("7E0", "7E1"):
            assert addresses.name_for(unit.response_id) == unit.name
            assert addresses.request_id_for(unit.response_id) == unit.request_id
    assert addresses.name_for("7EA") is None and addresses.request_id_for("7EA") == "7E2"


def _repeats(policy: RetryPolicy, kinds: list[str]) -> list[bool]:
    tries = Tries()
    return [policy.again(kind, tries) for kind in kinds]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("policy", "kinds", "expected"),
    [
        (PHYSICAL, ["pending"] * 3, [True, True, False]),
        (PHYSICAL, ["busy"] * 4, [True, True, True, False]),
        (PHYSICAL, ["silent"] * 2, [True, False]),
        (
            PHYSICAL,
            ["pending", "pending", "busy", "busy", "busy", "busy"],
            [True, True, True, True, True, False],
        ),
        (FUNCTIONAL, ["pending", "busy", "pending", "busy"], [True, True, True, False]),
        (FUNCTIONAL, ["silent"], [False]),
    ],
)
def test_one_retry_policy_bounds_every_kind_of_repeat(
    policy: RetryPolicy, kinds: list[str], expected: list[bool]
) -> None:
    assert _repeats(policy, kinds) == expected


def test_the_deadline_between_steps_is_in_the_one_error_tree() -> None:
    assert issubclass(errors.ScanDeadline, errors.ObdidentError)
    assert issubclass(errors.ScanDeadline, TimeoutError)
    assert "ScanDeadline" in (errors.__doc__ or "")


def _modules() -> list[Path]:
    return sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_each_scan_module_is_short_and_imports_only_lower_floors(path: Path) -> None:
    text = path.read_text("utf-8")
    assert len(text.splitlines()) <= 400
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module != "obdident", "the package root imports the scan"
            assert not node.module.startswith(("obdident.report", "obdident.cli"))
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name != "obdident" and not alias.name.startswith("obdident.report")
        if isinstance(node, ast.ClassDef):
            # composition: no class of the scan derives from another of its classes
            assert all(isinstance(b, ast.Name) and b.id not in _scan_classes() for b in node.bases), node.name


def _scan_classes() -> set[str]:
    return {
        node.name
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.ClassDef)
    }
