"""Build obdident's desktop bundle (PyInstaller, onedir) and smoke-test it, on the system it runs on.

    python3 packaging/build_bundle.py            # build into build/bundle/, then smoke-test
    python3 packaging/build_bundle.py --test-only  # smoke-test an existing build/bundle/dist/obdident/

The bundle is built from the wheel (``pip wheel``), installed with its dependencies into a fresh build
environment, never from the source tree: an editable install hides missing package data. The smoke test runs
the bundle's programs with no Python environment on PATH (PATH names no folder, HOME is a fresh folder):

* ``obdident --version`` and ``obdident scan --demo --json scan.json`` (the report holds the demo car's VIN);
* ``obdident report scan.json --html page.html`` (the page's templates) and ``obdident check-adapter --demo``;
* ``obdident ports --no-ble`` (discovery without a Bluetooth LE scan);
* the compiled catalogues of every language (``obdident/locale/<lang>/LC_MESSAGES/*.mo``) and Babel's
  locale data (``babel/locale-data``, for dates in the owner's locale) are in the bundle;
* ``obdident ui --demo --no-browser``: the window answers its own address with the token (200) and refuses
  the same page without it (403); then Ctrl-C (SIGINT) stops it.

Linux is what this script has been run on. On Windows and macOS the same script is expected to work
(``.github/workflows/bundle.yml`` runs it there) but it has not been verified on those systems yet.
Exit status 0 when the build and every check passed; 1 otherwise, with the failed check named.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "bundle"
DIST = WORK / "dist" / "obdident"
DEMO_VIN = "SJNFBAT32U1000001"
EXE = ".exe" if sys.platform == "win32" else ""


def _run(*args: str | Path, **kwargs: object) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, **kwargs)  # type: ignore[call-overload]


def build() -> None:
    """Wheel, build environment, PyInstaller."""
    wheels = WORK / "wheel"
    wheels.mkdir(parents=True, exist_ok=True)
    for old in wheels.glob("*.whl"):
        old.unlink()
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", wheels, ROOT)
    wheel = next(wheels.glob("obdident-*.whl"))
    env_dir = WORK / "env"
    venv.create(env_dir, with_pip=True, clear=True)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    _run(python, "-m", "pip", "install", "--quiet", f"{wheel}[ui,bundle]")
    _run(
        python, "-m", "PyInstaller", "--noconfirm", "--clean",
        "--distpath", WORK / "dist", "--workpath", WORK / "work", ROOT / "packaging" / "obdident.spec",
    )  # fmt: skip


def _bare_env(home: Path) -> dict[str, str]:
    """An environment with no Python on PATH and nothing of this shell's Python (no VIRTUAL_ENV, PYTHON*)."""
    env = {"HOME": str(home), "PATH": str(home / "no-bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    if sys.platform == "win32":
        env["USERPROFILE"] = str(home)
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", r"C:\Windows")
    return env


def _program(name: str) -> Path:
    path = DIST / f"{name}{EXE}"
    if not path.exists():
        raise SystemExit(f"FAILED: {path} was not built")
    return path


def _check(ok: bool, what: str) -> None:
    print(("ok: " if ok else "FAILED: ") + what, flush=True)
    if not ok:
        raise SystemExit(1)


def _capture(args: list[Path | str], env: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=home, capture_output=True, text=True, timeout=120, check=False)


def smoke_test() -> None:
    """The checks named in the module's docstring."""
    obdident = _program("obdident")
    _program("obdident-window")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = _bare_env(home)
        version = _capture([obdident, "--version"], env, home)
        _check(version.returncode == 0 and version.stdout.startswith("obdident "), version.stdout)
        demo = _capture([obdident, "scan", "--demo", "--json", "scan.json"], env, home)
        report = json.loads((home / "scan.json").read_text("utf-8")) if (home / "scan.json").exists() else {}
        _check(
            demo.returncode == 0 and report.get("vehicle", {}).get("vin") == DEMO_VIN,
            f"scan --demo (exit {demo.returncode}) {demo.stderr[-400:]}",
        )
        page = _capture([obdident, "report", "scan.json", "--html", "page.html"], env, home)
        _check(page.returncode == 0 and (home / "page.html").exists(), f"report --html {page.stderr[-400:]}")
        adapter = _capture([obdident, "check-adapter", "--demo"], env, home)
        _check(
            adapter.returncode == 0,
            f"check-adapter --demo (exit {adapter.returncode}) {adapter.stderr[-400:]}",
        )
        ports = _capture([obdident, "ports", "--no-ble"], env, home)
        _check(ports.returncode == 0, f"ports --no-ble (exit {ports.returncode}) {ports.stderr[-400:]}")
        catalogues = {p.parent.parent.name for p in DIST.rglob("obdident/locale/*/LC_MESSAGES/obdident.mo")}
        _check(
            {"ru", "uk", "de", "fr", "es", "it", "pl"} <= catalogues, f"the catalogues: {sorted(catalogues)}"
        )
        _check(any(DIST.rglob("babel/locale-data/de.dat")), "Babel's locale data (babel.dates)")
        _window(obdident, env, home)


def _window(obdident: Path, env: dict[str, str], home: Path) -> None:
    flags = subprocess.CREATE_NEW_PROCESS_GROUP if sys.platform == "win32" else 0  # type: ignore[attr-defined]
    process = subprocess.Popen(
        [obdident, "ui", "--demo", "--no-browser"],
        env=env, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, creationflags=flags,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        _check(url.startswith("http://127.0.0.1:") and "token=" in url, f"ui prints its address: {url!r}")
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    status = answer.status
                break
            except urllib.error.URLError:
                time.sleep(0.2)
        _check(status == 200, f"the window answers with its token (HTTP {status})")
        bare = url.split("?", 1)[0]
        try:
            urllib.request.urlopen(bare, timeout=5)
            refused = 200
        except urllib.error.HTTPError as err:
            refused = err.code
        _check(refused == 403, f"the window refuses a request without its token (HTTP {refused})")
    finally:
        process.send_signal(signal.CTRL_BREAK_EVENT if sys.platform == "win32" else signal.SIGINT)  # type: ignore[attr-defined]
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    _check(process.returncode is not None, "Ctrl-C stops the window")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-only", action="store_true", help="smoke-test an existing build")
    args = parser.parse_args()
    if not args.test_only:
        build()
    smoke_test()
    print(f"bundle ready: {DIST}")


if __name__ == "__main__":
    main()
