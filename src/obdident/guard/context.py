"""What the guard knows of the adapter's state: the protocol family, header, CAF, flow control, Nissan basis.

Part of :mod:`obdident.guard`; the judging is in :mod:`obdident.guard.check`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: The protocol families a line is judged for: CAN with 11-bit ids, CAN with 29-bit ids (ISO 15765-4), the
#: 3-byte-header protocols (K-line: ISO 9141-2, ISO 14230-4; J1850), and :data:`USER`.
CAN11, CAN29, OTHER = "can11", "can29", "other"
#: SAE J1939 (protocol A) and the user CAN protocols B and C: stored programmable parameters shape their
#: frames (PP 2B-2F: id width, data length and the data format "none", ISO 15765-4 or J1939; factory PP 2C =
#: E0 and PP 2E = 80 select "none": the line is the raw CAN frame). The guard models none of it, so no
#: request goes out while the adapter may be on one of them (ELM327 datasheet, PP 2C, AT PB).
USER = "user"
CAN: frozenset[str] = frozenset({CAN11, CAN29})
ANY_FAMILY: frozenset[str] = frozenset({CAN11, CAN29, OTHER, USER})

#: The family of each fixed protocol (ELM327 datasheet, "AT SP h" protocol table): 1-5 K-line and J1850;
#: 6 and 8 ISO 15765-4 11-bit; 7 and 9 ISO 15765-4 29-bit; A SAE J1939, B and C user CAN: :data:`USER`
#: (AT TP A/B/C has no allowlist row; a reset or a search may still land there).
PROTOCOL_FAMILIES: dict[str, frozenset[str]] = {
    **{n: frozenset({OTHER}) for n in "12345"},
    "6": frozenset({CAN11}),
    "8": frozenset({CAN11}),
    "7": frozenset({CAN29}),
    "9": frozenset({CAN29}),
    **{n: frozenset({USER}) for n in "ABC"},
}

#: The family of each STN protocol preset the guard admits (OBDLink FRPM rev F, STP, preset table): ISO 15765
#: with 11-bit Tx ids (33, 35 on HS-CAN; 53 on MS-CAN) or 29-bit Tx ids (34, 36; 54). "All CAN presets are
#: configured to receive both 11-bit and 29-bit messages": the Tx width is what shapes a request's frame.
STN_PRESET_FAMILIES: dict[str, frozenset[str]] = {
    "33": frozenset({CAN11}),
    "35": frozenset({CAN11}),
    "53": frozenset({CAN11}),
    "34": frozenset({CAN29}),
    "36": frozenset({CAN29}),
    "54": frozenset({CAN29}),
}


@dataclass
class GuardContext:
    """What the guard knows when it judges a line: the adapter state that shapes a frame, and the vehicle.

    The defaults describe an adapter the guard has not yet seen reset: every volatile setting unknown.
    :meth:`after_reset` gives the state after AT Z / AT WS / AT D, in which what the stored programmable
    parameters decide is unknown; :meth:`set_up` the state once the driver pinned a protocol and confirmed
    AT CAF1.

    Attributes:
        header: the header (request id) the adapter uses, as the last admitted AT SH set it; None after a
            reset (AT Z, AT WS, AT D): the protocol's default, which carries the stored tester address (PP 06)
            on 29-bit CAN (18 DB 33 tt, with the AT CP priority) and off CAN (68 6A tt, C1 33 tt), and is
            the fixed 7DF only on 11-bit CAN.
        nissan_basis: why the vehicle counts as a Nissan (WMI, CALID prefix, the user's ``--make nissan``),
            or None while it is not established.
        reset_seen: a reset was admitted, so the settings below are known.
        families: the protocol families the adapter may be on (:data:`CAN`, :data:`OTHER`, :data:`USER`).
        auto_format: CAN automatic formatting (AT CAF1) or raw frames (AT CAF0); after a reset it is what
            PP 24 stores, so :attr:`maybe` holds the other value until a confirmed AT CAF sets it.
        fc_mode: the flow control mode, AT FC SM 0-2 (0 after a reset).
        fc_header: the id set by AT FC SH since the last reset, or None.
        fc_data: the bytes set by AT FC SD since the last reset (hex), or None.
        maybe: per setting, the other values it may still have because the adapter did not confirm a
            command that changed it (answered ``?``, or nothing): see :meth:`Guard.settle`.
    """

    header: str | None = None
    nissan_basis: str | None = None
    reset_seen: bool = False
    families: frozenset[str] = ANY_FAMILY
    auto_format: bool = True
    fc_mode: int = 0
    fc_header: str | None = None
    fc_data: str | None = None
    maybe: dict[str, frozenset[object]] = field(default_factory=dict)

    def values(self, key: str) -> frozenset[Any]:
        """Every value setting ``key`` (``header``, ``auto_format``, ``fc_mode``, ``fc_header``, ``fc_data``)
        may have: the one the last admitted command set, and those an unconfirmed command may have left."""
        return frozenset({getattr(self, key)}) | self.maybe.get(key, frozenset())

    @classmethod
    def after_reset(
        cls, nissan_basis: str | None = None, families: frozenset[str] = ANY_FAMILY
    ) -> GuardContext:
        """The state after AT Z / AT WS / AT D (ELM327 datasheet, AT D and "Programmable Parameters"): the
        volatile settings back to their defaults, and what the stored parameters decide unknown: the
        protocol (AT SP), CAF (PP 24), the tester address in the default header (PP 06).

        Args:
            nissan_basis: why the vehicle counts as a Nissan, or None.
            families: the families the adapter may be on (narrowed by AT TP h).

        Returns:
            A context in which a request is admitted only once AT CAF and (off 11-bit CAN) AT SH are set.
        """
        context = cls(nissan_basis=nissan_basis)
        context.reset()
        context.families = families
        return context

    @classmethod
    def set_up(cls, families: frozenset[str], nissan_basis: str | None = None) -> GuardContext:
        """The state after a reset, a confirmed AT CAF1 and a confirmed AT TP h (or STP p) for ``families``.

        Args:
            families: the family the pinned protocol belongs to (:data:`PROTOCOL_FAMILIES`).
            nissan_basis: why the vehicle counts as a Nissan, or None.

        Returns:
            The context the driver has built before its first request (the header is the protocol's
            default: admitted on 11-bit CAN only).
        """
        context = cls.after_reset(nissan_basis, families)
        context.maybe.pop("auto_format", None)
        return context

    def reset(self) -> None:
        """Apply an admitted AT Z / AT WS / AT D: volatile defaults restored; the stored protocol, the stored
        CAF default (PP 24) and the stored tester address (PP 06, in the default header) unknown."""
        self.maybe = {"auto_format": frozenset({False})}
        self.header = None
        self.reset_seen = True
        self.families = ANY_FAMILY
        self.auto_format = True
        self.fc_mode = 0
        self.fc_header = None
        self.fc_data = None


Condition = Callable[[GuardContext], "str | None"]
