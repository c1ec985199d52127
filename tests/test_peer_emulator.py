"""Integration against an independent ELM327 implementation: ELM327-emulator (PyPI, test-only).

The emulator runs in its TCP mode as a separate process with its ``car`` scenario (a Toyota Auris Hybrid
on ISO 15765-4 CAN 11/500); obdident reaches it through pyserial's ``socket://`` handler, as it would a
WiFi adapter. Its VIN answers rotate between requests, so each test gets a fresh emulator.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import obdident
from tests.conftest import WireAudit

pytest.importorskip("elm", reason="ELM327-emulator is a test dependency: pip install -e '.[test]'")

CAR_VIN = "WP0ZZZ99ZTS390000"  # the car scenario's first VIN answer; ends in '0000'
CAR_CALIDS = ["312J6000", "A4701000"]
CAR_CVNS = ["6953CD4B", "611F6EF2"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "elm", "-n", str(port), "-s", "car", "-b", str(tmp_path / "batch.out")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=tmp_path,  # it writes elm.log into its working directory: keep it out of the checkout
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("ELM327-emulator did not start")
                time.sleep(0.1)  # waiting for a peer process to listen, in a test
        yield f"socket://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_library_scan_of_the_emulator_car(emulator: str, wire_audit: WireAudit) -> None:
    report = obdident.scan(emulator)
    assert report.complete
    assert report.vehicle.vin == CAR_VIN
    assert report.vehicle.manufacturer == "Porsche"
    assert report.adapter.protocol_number == "6"
    (ecm,) = report.ecus
    assert (ecm.request_id, ecm.response_id, ecm.name) == ("7E0", "7E8", "ECM")
    assert list(ecm.identification.calibration_ids) == CAR_CALIDS
    assert list(ecm.identification.cvns) == CAR_CVNS
    assert ecm.identification.ecu_name == "ECM-EngineControl"
    requests = [e.request for e in ecm.evidence]
    assert requests[:3] == ["0100", "09001", "09023"]
    # not a Nissan (WMI WP0): no Nissan address table, no Nissan LIDs, never Nissan's session
    sent = wire_audit.lines()
    assert not any(line.startswith(("21", "10C0", "ATSH745")) for line in sent)
    assert report.head_unit is not None and report.head_unit.probed == ()
    assert "only for Nissan" in report.head_unit.reason


def test_cli_json_to_stdout_against_the_emulator(emulator: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "obdident", "scan", "--port", emulator, "--json", "-"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # stdout holds only the JSON
    assert report["complete"] is True
    assert report["vehicle"]["vin"] == CAR_VIN
    ecu = report["ecus"][0]
    assert ecu["identification"]["calibration_ids"] == CAR_CALIDS
    assert ecu["identification"]["cvns"] == CAR_CVNS
    assert report["vehicle"]["vin_sources"] == [
        {"source": "SAE J1979 service 09 InfoType 02", "response_id": "7E8", "value": CAR_VIN,
         "problem": None}
    ]
