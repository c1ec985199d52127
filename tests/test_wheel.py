"""The built wheel ships what it needs (issue 21, point 1).

An editable install reads templates, static files and profiles from the source tree, so it hides package
data the wheel forgot. This test builds the sdist and, from it, the wheel (``python -m build``, with the
backend hatchling of the test environment: ``--no-isolation``), checks both
with ``twine check --strict``, installs the wheel (not editable) with the ``ui`` extra into a fresh virtual
environment with no system site packages, and runs the owner's three commands from there, in a folder
outside the source tree: ``obdident scan --demo``, ``obdident report --html`` and ``obdident ui --demo
--no-browser`` (started, its page fetched with the token it printed, stopped).

Dependencies come from a wheelhouse kept in pytest's cache folder (``.pytest_cache/d/wheelhouse``): pip
installs from it alone (``--no-index``), so it must hold every dependency the wheel declares, and a missing
one fails. When it lacks one (the first run, or a new dependency), ``pip download`` fills it from the
configured indexes and the install runs again. pip's own HTTP cache would do the same where the index's
answers may be cached; this one works wherever they may not.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import tarfile
import threading
import tomllib
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "obdident"
STEP_TIMEOUT_S = 300  # a bound on each subprocess, so a hang fails instead of blocking the suite


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT_S, check=False
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (
        f"{result.args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def package_data() -> set[str]:
    """The files the wheel must hold besides the modules: every non-Python file of the package, and the
    built-in profiles (force-included from hw-fixtures/profiles)."""
    names = {
        "obdident/" + path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    profiles = ROOT / "hw-fixtures" / "profiles"
    return names | {f"obdident/sim/profiles/{p.name}" for p in profiles.glob("*.toml")}


def install(wheel: Path, python: Path, wheelhouse: Path) -> None:
    """Install ``wheel[ui]`` into the environment of ``python``, dependencies from ``wheelhouse`` only."""
    pip = (sys.executable, "-m", "pip", "--python", python)
    command = (*pip, "install", "--no-compile", "--no-index", "--find-links", wheelhouse, f"{wheel}[ui]")
    if run(*command).returncode != 0:  # the wheelhouse lacks a dependency: fetch them, then again
        ok(run(sys.executable, "-m", "pip", "download", "--dest", wheelhouse, f"{wheel}[ui]"))
        for stale in wheelhouse.glob("obdident-*"):
            stale.unlink()
        ok(run(*command))


def first_line(stream: object, timeout_s: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()  # type: ignore[attr-defined]
    return lines.get(timeout=timeout_s)


def test_the_built_wheel_installs_and_runs_without_the_source_tree(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]

    # build the sdist, and the wheel from the sdist, as a release would; check both
    dist = tmp_path / "dist"
    ok(run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ROOT))
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    assert wheel.name == f"obdident-{version}-py3-none-any.whl"
    ok(run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist))
    with zipfile.ZipFile(wheel) as archive:
        held = set(archive.namelist())
    assert package_data() - held == set(), "package data missing from the wheel"
    catalogues = {name for name in held if re.fullmatch(r"obdident/locale/[a-z]+/LC_MESSAGES/\w+\.mo", name)}
    languages = {name.split("/")[2] for name in catalogues}
    from obdident.i18n import LANGUAGES

    assert languages >= set(LANGUAGES) - {"en"}, "compiled catalogues missing from the wheel"
    assert {f"obdident/locale/de/LC_MESSAGES/{domain}.mo" for domain in ("obdident", "messages")} <= held
    with tarfile.open(sdist) as archive:
        shipped = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    benchmarks = {f"benchmarks/{p.name}" for p in (ROOT / "benchmarks").glob("*.py")}
    assert benchmarks and benchmarks <= shipped, "the sdist's tests import benchmarks/"

    # a fresh environment: no pip of its own, no system site packages; the wheel and its dependencies
    env = tmp_path / "venv"
    venv.create(env, with_pip=False, system_site_packages=False)
    scripts = env / ("Scripts" if sys.platform == "win32" else "bin")
    python, obdident = scripts / "python", scripts / "obdident"
    cache = request.config.cache  # None under -p no:cacheprovider: a wheelhouse for this run only
    install(wheel, python, cache.mkdir("wheelhouse") if cache is not None else tmp_path / "wheelhouse")
    work = tmp_path / "owner"
    work.mkdir()
    where = ok(run(python, "-c", "import obdident; print(obdident.__file__)", cwd=work))
    assert Path(where.strip()).is_relative_to(env), where  # the installed copy, not the source tree

    assert ok(run(obdident, "--version", cwd=work)).strip() == f"obdident {version}"

    ok(run(obdident, "scan", "--demo", "--json", "scan.json", cwd=work))
    report = json.loads((work / "scan.json").read_text("utf-8"))
    assert report["tool"] == {"name": "obdident", "version": version}
    assert report["vehicle"]["vin"] == "SJNFBAT32U1000001"

    ok(run(obdident, "report", "scan.json", "--html", "page.html", cwd=work))
    page = (work / "page.html").read_text("utf-8")
    assert f"obdident {version}" in page and "SJNFBAT32U1000001" in page and "<svg" in page

    window = subprocess.Popen(
        [str(obdident), "ui", "--demo", "--no-browser"],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = first_line(window.stdout, 60.0).strip()
        assert url.startswith("http://127.0.0.1:") and "token=" in url, url
        with urllib.request.urlopen(url, timeout=30) as answer:
            assert answer.status == 200
            assert "<html" in answer.read().decode("utf-8").lower()
        base, _, query = url.partition("/?")
        with urllib.request.urlopen(f"{base}/ui.js?{query}", timeout=30) as answer:  # static file
            assert answer.status == 200 and answer.read()
        stop = urllib.request.Request(
            f"{base}/stop?{query}", data=b"", method="POST", headers={"Origin": base}
        )
        with urllib.request.urlopen(stop, timeout=30) as answer:
            assert answer.status == 200
        assert window.wait(timeout=60) == 0, window.stderr.read() if window.stderr else ""
    finally:
        if window.poll() is None:
            window.kill()
            window.wait()
        for stream in (window.stdout, window.stderr):
            if stream is not None:
                stream.close()


def test_the_version_is_written_in_one_place() -> None:
    # pyproject.toml holds it; the package reads it from the installed metadata (importlib.metadata)
    import importlib.metadata

    import obdident

    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert obdident.__version__ == importlib.metadata.version("obdident") == version
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text("utf-8")
        assert f'"{version}"' not in text and f"'{version}'" not in text, path
