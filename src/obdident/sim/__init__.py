"""A simulated ELM327 adapter and vehicle, used by the tests, ``--demo`` and benchmarks.

:mod:`obdident.sim.profile` loads a vehicle from a plain TOML profile (``hw-fixtures/profiles``);
:mod:`obdident.sim.elm` answers like an ELM327 (ELM327 datasheet) talking to that vehicle, whose
ECUs (diagnostic sessions, negative responses, repeated-request sequences) :mod:`obdident.sim.vehicle`
models, with CAN helpers in :mod:`obdident.sim.can`; :mod:`obdident.sim.quirks` adds clone adapter
quirks and :mod:`obdident.sim.faults` injected faults; and :mod:`obdident.transports.protocol_sim`
serves it to pyserial as ``sim://PROFILE``.
"""
