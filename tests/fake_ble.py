"""Fake bleak backends: Bluetooth LE OBD-II adapters with a simulated ELM327 behind them, and a scanner.

Each fake adapter is a :class:`bleak.backends.client.BaseBleakClient` subclass that ``BleakClient(...,
backend=...)`` instantiates, so obdident's ``ble://`` handler runs its real bleak code path against it. Its
GATT table is built from bleak's own classes. Like real adapters it answers with notifications of at most
20 bytes, delivered later on the event loop (never inside ``write_gatt_char``), split at awkward places
(mid-line, between the last CR and the ``>`` prompt); optionally it cuts a notification short, answers
``?`` to some AT commands (a clone), refuses connections, or drops the link after some lines or in the
middle of an answer (disconnected callback fired, notifications stop).

    with use_backend(fake_adapter("fff0", drop_after_lines=13)) as fake:
        link = serial.serial_for_url("ble://AA:BB:CC:DD:EE:FF")
        ...
        fake.instances[-1].chunks   # every GATT write: (characteristic uuid, size, with response)
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError
from bleak.uuids import normalize_uuid_str

from obdident.sim.elm import SimulatedELM327
from obdident.sim.profile import find_profile, load_profile
from obdident.transports import protocol_ble

ADDRESS = "AA:BB:CC:DD:EE:FF"

# --- GATT layouts ----------------------------------------------------------------------------------------
# (service uuid, [(characteristic uuid, properties)]) in handle order. Every adapter also has the two
# mandatory services a real stack shows first: Generic Access and Generic Attribute.
_MANDATORY = [
    ("1800", [("2a00", ["read"]), ("2a01", ["read"])]),
    ("1801", [("2a05", ["indicate"])]),
]
LAYOUTS: dict[str, list[tuple[str, list[tuple[str, list[str]]]]]] = {
    # ELM327 BLE clone: notify FFF1, write FFF2 (both write kinds)
    "fff0": [
        ("180a", [("2a29", ["read"]), ("2a24", ["read"])]),
        ("fff0", [("fff1", ["read", "notify"]), ("fff2", ["read", "write-without-response", "write"])]),
    ],
    # HM-10 module: one characteristic both ways, write without response only
    "ffe0": [("ffe0", [("ffe1", ["read", "write-without-response", "notify"])])],
    # vLinker: notify 2AF0, write 2AF1 with response only
    "vlinker": [("18f0", [("2af0", ["notify"]), ("2af1", ["write"])])],
    # Vgate iCar Pro BLE: one characteristic both ways
    "vgate": [
        (
            "e7810a71-73ae-499d-8c15-faa9aef0c3f2",
            [("bef8d6c9-9c21-4c9e-b632-bd58c1009f9f", ["read", "write-without-response", "write", "notify"])],
        )
    ],
    # Nordic UART Service
    "nordic-uart": [
        (
            "6e400001-b5a3-f393-e0a9-e50e24dcca9e",
            [
                ("6e400002-b5a3-f393-e0a9-e50e24dcca9e", ["write-without-response", "write"]),
                ("6e400003-b5a3-f393-e0a9-e50e24dcca9e", ["notify"]),
            ],
        )
    ],
    # An unknown vendor service (Microchip transparent UART) after a notify-only battery service
    "generic": [
        ("180f", [("2a19", ["read", "notify"])]),
        (
            "49535343-fe7d-4ae5-8fa9-9fafd205e455",
            [
                ("49535343-1e4d-4bd9-ba61-23c647249616", ["notify"]),
                ("49535343-8841-43f4-a8d4-ecbe34729bb3", ["write-without-response", "write"]),
            ],
        ),
    ],
    # Two candidate pairs: the FFF0 family first, then the Nordic UART Service (for write=/notify=)
    "fff0+nordic": [
        ("fff0", [("fff1", ["notify"]), ("fff2", ["write-without-response", "write"])]),
        (
            "6e400001-b5a3-f393-e0a9-e50e24dcca9e",
            [
                ("6e400002-b5a3-f393-e0a9-e50e24dcca9e", ["write-without-response", "write"]),
                ("6e400003-b5a3-f393-e0a9-e50e24dcca9e", ["notify"]),
            ],
        ),
    ],
}
#: Which characteristics each layout answers on and listens to by default (service-relative uuids).
ENDPOINTS = {
    "fff0": ("fff2", "fff1"),
    "ffe0": ("ffe1", "ffe1"),
    "vlinker": ("2af1", "2af0"),
    "vgate": ("bef8d6c9-9c21-4c9e-b632-bd58c1009f9f", "bef8d6c9-9c21-4c9e-b632-bd58c1009f9f"),
    "nordic-uart": ("6e400002-b5a3-f393-e0a9-e50e24dcca9e", "6e400003-b5a3-f393-e0a9-e50e24dcca9e"),
    "generic": ("49535343-8841-43f4-a8d4-ecbe34729bb3", "49535343-1e4d-4bd9-ba61-23c647249616"),
    "fff0+nordic": ("fff2", "fff1"),
}
FAMILY_NAMES = ("fff0", "ffe0", "vlinker", "vgate", "nordic-uart", "generic")

#: Notification sizes used to split answers at awkward places; cycled.
AWKWARD_SIZES = (7, 20, 1, 13, 3, 20, 11, 2, 17)


def _canonical(line: str) -> str:
    return line.replace(" ", "").upper()


@dataclass
class Knobs:
    """How a fake adapter behaves.

    Attributes:
        profile: the simulated vehicle (a profile name).
        mtu: the ATT MTU the connection reports.
        notify_size: the largest notification (20 bytes: MTU 23 less the ATT header).
        awkward: split answers at awkward places (sizes from :data:`AWKWARD_SIZES`, the prompt alone).
        question: canonical AT commands a clone answers with ``?``.
        cra: False: the chip answers ``?`` to AT CRA (the simulator's own clone quirk).
        truncate: canonical request lines whose answer loses bytes: one notification is cut short.
        truncate_prompt: cut the notification that carries the ``>`` prompt (else one mid-answer).
        drop_after_lines: after answering this many lines the adapter disconnects.
        drop_mid_answer_of: the adapter disconnects half-way through its answer to this line.
        connect_failures: the first connection attempts that fail (a transient BlueZ error).
        findable: False: every connection attempt fails with device-not-found.
        hang_connect: connect never finishes (for the connect timeout).
    """

    profile: str = "nissan-xtrail-t32"
    mtu: int = 23
    notify_size: int = 20
    awkward: bool = True
    question: frozenset[str] = frozenset()
    cra: bool | None = None
    truncate: frozenset[str] = frozenset()
    truncate_prompt: bool = False
    drop_after_lines: int | None = None
    drop_mid_answer_of: str | None = None
    connect_failures: int = 0
    findable: bool = True
    hang_connect: bool = False


class FakeBleAdapter(BaseBleakClient):
    """A BLE OBD-II adapter: GATT table of :attr:`LAYOUT`, a :class:`SimulatedELM327` behind it.

    Class attributes (set by :func:`fake_adapter`): ``LAYOUT``, ``KNOBS``; ``instances`` lists every
    client bleak created, ``connect_attempts`` counts connection attempts.
    """

    LAYOUT: ClassVar[str] = "fff0"
    KNOBS: ClassVar[Knobs] = Knobs()
    instances: ClassVar[list[FakeBleAdapter]]
    connect_attempts: ClassVar[int]

    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device, **kwargs)
        self.knobs = type(self).KNOBS
        self.connected = False
        self.chunks: list[tuple[str, int, bool]] = []
        self.lines: list[str] = []
        self.notified: list[bytes] = []
        self.subscribed: str | None = None
        self.disconnects = 0
        self._callback: NotifyCallback | None = None
        self._pending = b""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sizes = itertools.cycle(AWKWARD_SIZES)
        self._outbox: list[bytes | None] = []
        self._pumping = False
        self.elm: SimulatedELM327 | None = None
        type(self).instances.append(self)

    # --- connection ---------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"OBDII {type(self).LAYOUT}"

    @property
    def mtu_size(self) -> int:
        return self.knobs.mtu

    @property
    def is_connected(self) -> bool:
        return self.connected

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        cls = type(self)
        cls.connect_attempts += 1
        if self.knobs.hang_connect:
            await asyncio.Event().wait()  # a device that never completes the connection
        if not self.knobs.findable:
            raise BleakDeviceNotFoundError(self.address, f"Device with address {self.address} was not found.")
        if cls.connect_attempts <= self.knobs.connect_failures:
            raise BleakError("[org.bluez.Error.Failed] le-connection-abort-by-local")
        self._loop = asyncio.get_running_loop()
        self.services = self._build_services()
        self.elm = SimulatedELM327(load_profile(find_profile(self.knobs.profile)), cra=self.knobs.cra)
        self.connected = True

    async def disconnect(self) -> None:
        # a disconnect the host asked for: bleak does not call the disconnected callback for it
        self.connected = False
        self._callback = None

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    async def unpair(self) -> None:
        raise NotImplementedError

    def drop(self) -> None:
        """The adapter goes away: notifications stop, the disconnected callback fires."""
        if not self.connected:
            return
        self.connected = False
        self._callback = None
        self.disconnects += 1
        if self._disconnected_callback is not None:
            self._disconnected_callback()

    # --- GATT table -----------------------------------------------------------------------------------
    def _build_services(self) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        handle = itertools.count(1)
        for service_uuid, chars in _MANDATORY + LAYOUTS[type(self).LAYOUT]:
            service = BleakGATTService(None, next(handle), normalize_uuid_str(service_uuid))
            collection.add_service(service)
            for char_uuid, properties in chars:
                char = BleakGATTCharacteristic(
                    None,
                    next(handle),
                    normalize_uuid_str(char_uuid),
                    list(properties),  # type: ignore[arg-type]
                    lambda: self.knobs.mtu - 3,
                    service,
                )
                collection.add_characteristic(char)
                next(handle)  # the characteristic's value handle
        return collection

    # --- GATT operations --------------------------------------------------------------------------------
    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, **kwargs: Any) -> bytearray:
        return bytearray(b"FAKE")

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, **kwargs: Any) -> bytearray:
        return bytearray()

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        raise BleakError("not supported by the fake")

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        if not self.connected:
            raise BleakError("Not connected")
        if not {"notify", "indicate"} & set(characteristic.properties):
            raise BleakError(f"characteristic {characteristic.uuid} does not notify")
        self.subscribed = characteristic.uuid
        self._callback = callback

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        if not self.connected:
            raise BleakError("Not connected")
        self._callback = None

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: Any, response: bool
    ) -> None:
        if not self.connected:
            raise BleakError("Not connected")
        payload = bytes(data)
        kind = "write" if response else "write-without-response"
        if kind not in characteristic.properties:
            raise BleakError(f"characteristic {characteristic.uuid} does not permit {kind}")
        if len(payload) > self.knobs.mtu - 3:
            raise BleakError(f"{len(payload)} bytes exceed the ATT MTU {self.knobs.mtu} less 3")
        await asyncio.sleep(0)  # a write is a round trip through the stack, never instantaneous
        self.chunks.append((characteristic.uuid, len(payload), response))
        buf = self._pending + payload
        *complete, self._pending = buf.split(b"\r")
        for raw in complete:
            self._line(raw)

    def _line(self, raw: bytes) -> None:
        assert self.elm is not None and self._loop is not None
        line = raw.decode("latin-1")
        self.lines.append(line)
        answer = self.elm.feed(raw + b"\r")
        canonical = _canonical(line)
        if canonical in self.knobs.question:
            echo = raw + b"\r" if answer.startswith(raw + b"\r") else b""
            answer = echo + b"?\r\r>"
        fragments = self._fragments(answer)
        if canonical in self.knobs.truncate:
            index = len(fragments) - 1 if self.knobs.truncate_prompt else len(fragments) // 2
            fragments[index] = fragments[index][: max(0, len(fragments[index]) - 5)]
        drop_at: int | None = None
        if self.knobs.drop_mid_answer_of is not None and canonical == _canonical(
            self.knobs.drop_mid_answer_of
        ):
            drop_at = max(1, len(fragments) // 2)
            fragments = fragments[:drop_at]
        elif self.knobs.drop_after_lines is not None and len(self.lines) >= self.knobs.drop_after_lines:
            drop_at = len(fragments)
        self._deliver(fragments, drop=drop_at is not None)

    def _fragments(self, answer: bytes) -> list[bytes]:
        """Split an answer into notifications as a BLE module does, at awkward places when asked."""
        size = self.knobs.notify_size
        if not self.knobs.awkward:
            return [answer[i : i + size] for i in range(0, len(answer), size)]
        body, prompt = (answer[:-1], answer[-1:]) if answer.endswith(b">") else (answer, b"")
        fragments: list[bytes] = []
        while body:
            step = min(next(self._sizes), size)
            fragments.append(body[:step])
            body = body[step:]
        if prompt:
            fragments.append(prompt)  # the prompt on its own, after the last CR
        return fragments

    def _deliver(self, fragments: list[bytes], *, drop: bool) -> None:
        """Queue the notifications, sent one per loop iteration in order (one UART), then the drop."""
        self._outbox.extend(fragments)
        if drop:
            self._outbox.append(None)
        if not self._pumping:
            self._pumping = True
            assert self._loop is not None
            self._loop.call_soon(self._pump)

    def _pump(self) -> None:
        if not self.connected or not self._outbox:
            self._pumping = False
            return
        fragment = self._outbox.pop(0)
        if fragment is None:
            self._pumping = False
            self._outbox.clear()
            self.drop()
            return
        if fragment and self._callback is not None:
            self.notified.append(fragment)
            self._callback(bytearray(fragment))
        assert self._loop is not None
        self._loop.call_soon(self._pump)


def fake_adapter(layout: str = "fff0", **knobs: Any) -> type[FakeBleAdapter]:
    """A fresh fake adapter class (own instance list and counters) with the ``layout`` and knobs."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}")
    return type(
        f"Fake_{layout.replace('-', '_').replace('+', '_')}",
        (FakeBleAdapter,),
        {"LAYOUT": layout, "KNOBS": Knobs(**knobs), "instances": [], "connect_attempts": 0},
    )


@contextmanager
def use_backend(backend: type[BaseBleakClient]) -> Iterator[type[BaseBleakClient]]:
    """Make ``ble://`` ports connect through ``backend``; restore the previous backend afterwards."""
    previous = protocol_ble.BACKEND
    protocol_ble.BACKEND = backend
    try:
        yield backend
    finally:
        protocol_ble.BACKEND = previous


# --- scanner -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Advert:
    """One device a fake scanner 'hears'."""

    address: str
    name: str | None
    rssi: int
    services: tuple[str, ...] = ()


DEFAULT_ADVERTS = (
    Advert("11:22:33:44:55:01", "OBDII", -71),
    Advert("11:22:33:44:55:02", "vLinker MC-IOS", -58, (normalize_uuid_str("18f0"),)),
    Advert("11:22:33:44:55:03", "Polar H10 8A1B2C3D", -40, (normalize_uuid_str("180d"),)),
    Advert("11:22:33:44:55:04", None, -80, ("e7810a71-73ae-499d-8c15-faa9aef0c3f2",)),
    Advert("11:22:33:44:55:05", "Galaxy Buds", -52),
)


class FakeScanner(BaseBleakScanner):
    """A bleak scanner backend that 'hears' :attr:`ADVERTS` when started."""

    ADVERTS: ClassVar[tuple[Advert, ...]] = DEFAULT_ADVERTS
    ERROR: ClassVar[Callable[[], BaseException] | None] = None

    def __init__(
        self,
        detection_callback: Any,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)

    async def start(self) -> None:
        error = type(self).ERROR
        if error is not None:
            raise error()
        self.seen_devices = {}
        for advert in type(self).ADVERTS:
            adv = AdvertisementData(
                local_name=advert.name,
                manufacturer_data={},
                service_data={},
                service_uuids=list(advert.services),
                tx_power=None,
                rssi=advert.rssi,
                platform_data=(),
            )
            device = self.create_or_update_device(advert.address, advert.address, advert.name, None, adv)
            self.call_detection_callbacks(device, adv)

    async def stop(self) -> None:
        return None


def failing_scanner(error: Callable[[], BaseException]) -> type[FakeScanner]:
    """A scanner backend whose start raises ``error()`` (no adapter, Bluetooth off, BlueZ missing)."""
    return type("FailingScanner", (FakeScanner,), {"ERROR": staticmethod(error)})
