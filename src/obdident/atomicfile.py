"""Every file obdident writes, written so that no one can turn it against the owner.

* :func:`write_atomic` replaces a file: a temporary file beside the target, then a rename. The file on disk
  is always either the old one or the new one, never half written. The temporary file is created with
  ``O_EXCL`` (:func:`tempfile.mkstemp`), and the rename replaces whatever stands at the target's name (a
  symbolic link or a hard link planted in a shared folder included) instead of writing through it.
* :func:`create_new` writes a file that must not replace anything (the default report file): the first of
  the names offered that is free, claimed with ``O_EXCL``, so two scans started in the same second in one
  folder each keep their own report.
* :func:`open_new` opens a file to be appended as a scan runs (a recording): created new and renamed over
  the target at once, then written through its own descriptor.
* :func:`open_append` opens a file that is appended in place (the CSV log) with ``O_NOFOLLOW``: a symbolic
  link at its name is refused, not followed.

When a folder stops taking new files mid-scan (its permissions changed, it was made read-only for others),
a file obdident already made there can still be rewritten in place: :func:`write_atomic` falls back to that
for a file it owns, so what is on disk is the newest report rather than a stale one.

Ground floor: it imports nothing from obdident.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

__all__ = ["create_new", "open_append", "open_new", "write_atomic"]

#: ``O_NOFOLLOW`` where the system has it (POSIX); 0 elsewhere, where symbolic links are checked by hand.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: ``O_NONBLOCK`` where the system has it: opening a FIFO planted at a name fails at once instead of
#: waiting for a reader (it changes nothing for a regular file).
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
#: Errors that mean "this folder takes no new file" (not "this disk is broken"): an in-place rewrite of a
#: file already made there may still work.
_FOLDER_REFUSES = frozenset({errno.EACCES, errno.EPERM})


def _temporary(target: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically.

    A temporary file ``.NAME.XXXX.tmp`` is written in the target's own directory (so the rename stays on one
    file system), then renamed over the target with :func:`os.replace`, atomic on POSIX and Windows. When the
    folder refuses the temporary file (``EACCES``, ``EPERM``: its permissions changed) and the target is a
    regular file of this user with one link, it is rewritten in place instead (opened with ``O_NOFOLLOW``).

    Args:
        path: the file to write; its directory must exist.
        text: the whole content.

    Raises:
        OSError: the file could not be written; the temporary file is removed and the old file kept.
        UnicodeEncodeError: ``text`` holds a lone surrogate (nothing is written).
    """
    target = Path(path)
    data = text.encode("utf-8")
    try:
        fd, tmp = _temporary(target)
    except OSError as err:
        if err.errno in _FOLDER_REFUSES and _rewrite_own(target, data):
            return
        raise
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError) and err.errno in _FOLDER_REFUSES and _rewrite_own(target, data):
            return
        raise


def _rewrite_own(target: Path, data: bytes) -> bool:
    """Rewrite ``target`` in place when it is a regular file of this user with one link; False otherwise (or
    when that fails too)."""
    try:
        fd = os.open(target, os.O_WRONLY | _NOFOLLOW | _NONBLOCK)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        owner = getattr(os, "geteuid", lambda: info.st_uid)()
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or info.st_uid != owner:
            return False
        os.ftruncate(fd, 0)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def create_new(text: str, names: Iterable[str | Path]) -> Path:
    """Write ``text`` (UTF-8) to the first of ``names`` that does not exist yet, and return it.

    Each name is claimed with ``O_CREAT | O_EXCL`` (which also refuses a symbolic link standing there), so
    two processes offered the same names never take the same one; the content is then written to a
    temporary file and renamed over the claimed one, so no reader sees it half written.

    Args:
        text: the whole content.
        names: the names to try, in order, all in one existing folder.

    Returns:
        The path written.

    Raises:
        FileExistsError: every name offered was taken.
        OSError: the folder takes no new file (nothing is left behind).
    """
    for name in names:
        target = Path(name)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        try:
            write_atomic(target, text)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target
    raise FileExistsError(errno.EEXIST, "every name offered is taken")


def open_new(path: str | Path) -> TextIO:
    """Open ``path`` to write a new file in it from the start (UTF-8, ``\\n`` line ends), replacing what stood
    there without writing through it: a temporary file is created with ``O_EXCL`` beside it and renamed over
    it at once; the handle writes to that new file.

    Raises:
        OSError: the file could not be made (nothing is left behind).
    """
    target = Path(path)
    fd, tmp = _temporary(target)
    try:
        if os.name == "nt":  # Windows renames no open file: close it, rename it, open it again by name
            os.close(fd)
            fd = -1
            os.replace(tmp, target)
            fd = os.open(target, os.O_WRONLY | os.O_APPEND)
        else:
            os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return os.fdopen(fd, "w", encoding="utf-8", newline="\n")


def open_append(path: str | Path) -> TextIO:
    """Open ``path`` to append to it in place (UTF-8, line ends as written), creating it when absent.

    A symbolic link at ``path`` is refused (``O_NOFOLLOW``; checked beforehand where the system lacks it), so
    a link planted in a shared folder cannot send the lines to another file.

    Raises:
        OSError: it cannot be opened; ``ELOOP`` for a symbolic link, ``EINVAL`` for what is not a regular
            file (a FIFO or a device planted there).
    """
    target = Path(path)
    if not _NOFOLLOW and target.is_symlink():
        raise OSError(errno.ELOOP, "is a symbolic link", str(target))
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _NONBLOCK, 0o644)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "is not a regular file", str(target))
    return os.fdopen(fd, "a", encoding="utf-8", newline="")
