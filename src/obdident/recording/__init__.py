"""Recorded adapter sessions: :mod:`.format` (the file format, read and written), :mod:`.recorder` (appends
each exchange to the file as it happens), :mod:`.audit` (checks a recording holds no security data) and
:mod:`.protocol_replay` (the ``replay://FILE`` pyserial URL handler).

This package sits above :mod:`obdident.transports`: pyserial finds ``replay://`` as
``obdident.recording.protocol_replay`` because :func:`obdident.transports.register` names this package among
pyserial's handler packages (a name only: transports never imports it). Importing the package itself loads
nothing.
"""
