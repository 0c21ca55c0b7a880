"""Publishing rendered pages into the maps folder, all at once or not at all.

The last stage of the pipeline (render -> publish). :func:`publish` builds the
complete new folder in a hidden sibling staging folder (same filesystem), fsyncs
it, then swaps it with the old folder in one atomic step, so that a browser, a
file watcher or a kill at any moment sees either the wholly old or the wholly
new folder, never a mix.

Files whose bytes do not change are hard-linked from the old folder into the
staging folder, so they keep their inode and mtime and ``git status`` or a file
watcher only sees real changes.

Two builds at once are serialised by :func:`lock`, an exclusive lock on the
hidden file ``.<name>.lock`` next to the folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import platform
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import AtlasError, Problem

__all__ = ["PAUSE_ENV", "PublishResult", "lock", "publish"]

#: Test hook: ``"<stage>:<seconds>"`` makes :func:`publish` announce the stage on
#: stderr and sleep there, so a test can SIGKILL it at that point. Stages:
#: ``staging`` (half the staged files written), ``staged`` (all staged, before
#: the swap), ``swapped`` (after the swap, before the old tree is deleted).
PAUSE_ENV = "TONGLIAO_PUBLISH_PAUSE"
_STAGES = ("staging", "staged", "swapped")

_FIX = "choose another --out folder or fix its permissions"

# errno values that mean "you cannot write there", which is the user's to fix;
# anything else (EIO, ...) is left to surface as an ordinary OSError.
_USER_ERRNOS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOTDIR,
    errno.EEXIST,
    errno.EISDIR,
    errno.ENOSPC,
    getattr(errno, "EDQUOT", errno.ENOSPC),
}

# renameat2 syscall numbers, for a libc without the renameat2 wrapper (glibc < 2.28).
_SYS_RENAMEAT2 = {
    "x86_64": 316,
    "amd64": 316,
    "aarch64": 276,
    "arm64": 276,
    "riscv64": 276,
    "loongarch64": 276,
    "i386": 353,
    "i686": 353,
    "armv7l": 382,
    "armv6l": 382,
    "ppc64le": 357,
    "ppc64": 357,
    "s390x": 347,
}
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass(frozen=True)
class PublishResult:
    """What :func:`publish` did, as sorted file names inside the folder.

    Attributes
    ----------
    written : tuple of str
        Pages that are new or whose bytes changed.
    unchanged : tuple of str
        Pages given whose bytes were identical (file kept with its inode and mtime).
    kept : tuple of str
        Entries not among the pages that were left untouched.
    removed : tuple of str
        ``.html`` files deleted because ``replace_all`` was set and they were not given.
    """

    written: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


# --------------------------------------------------------------------------- lock


@dataclass
class _Held:
    mutex: threading.RLock
    fd: int = -1
    depth: int = 0


_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


def _reset_after_fork() -> None:
    # A forked child does not own the parent's lock; it must take its own.
    global _held, _held_guard
    _held = {}
    _held_guard = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _lock_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.lock"


def _os_lock(fd: int) -> None:
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        while True:  # LK_LOCK gives up after 10 s; keep waiting like flock does
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                time.sleep(0.05)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)


def _os_unlock(fd: int) -> None:
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def lock(out_dir: Path) -> Iterator[None]:
    """Hold the exclusive build lock of ``out_dir``.

    The lock is the hidden file ``.<name>.lock`` next to ``out_dir`` (``flock``
    on POSIX, ``msvcrt.locking`` on Windows); it is left in place afterwards,
    since deleting a lock file races with a process waiting on it. Other
    processes, and other threads of this process, block until it is released.

    It is reentrant within a thread: :func:`publish` always takes it itself, so
    a caller that must read the current folder and publish without another build
    slipping in between (a one-district rebuild) simply wraps both in
    ``with lock(out_dir):``.

    Parameters
    ----------
    out_dir : Path
        The maps folder (it need not exist; its parent folders are created).

    Yields
    ------
    None

    Raises
    ------
    AtlasError
        If the lock file cannot be created next to ``out_dir``.
    """
    shown = str(out_dir)
    out_dir = Path(out_dir).resolve()
    key = str(_lock_path(out_dir))
    with _held_guard:
        held = _held.setdefault(key, _Held(threading.RLock()))
    with held.mutex:
        if held.depth == 0:
            try:
                out_dir.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                raise _user_error(exc, shown) from exc
            try:
                _os_lock(fd)
            except BaseException:
                os.close(fd)
                raise
            held.fd = fd
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0:
                fd, held.fd = held.fd, -1
                try:
                    _os_unlock(fd)
                finally:
                    os.close(fd)


# ------------------------------------------------------------------------ publish


def publish(out_dir: Path, pages: Mapping[str, bytes], *, replace_all: bool) -> PublishResult:
    """Write ``pages`` into ``out_dir`` atomically.

    The new folder is built in ``.<name>.staging-<pid>`` next to ``out_dir``,
    fsynced, and swapped in. On Linux the swap is one
    ``renameat2(RENAME_EXCHANGE)``, so a kill at any moment leaves ``out_dir``
    wholly old or wholly new. Where that is not available (macOS, Windows,
    filesystems such as NFS) the old folder is renamed to ``.<name>.old-<pid>``
    and the new one renamed in: between those two renames ``out_dir`` briefly
    does not exist; if the process dies right there, the next publish renames
    the old folder back first. Staging and old folders left by a killed run are
    deleted by the next publish.

    The whole call holds :func:`lock` (reentrant, so the caller may already hold it).

    Parameters
    ----------
    out_dir : Path
        The maps folder; created if missing. If it is a symlink, the folder it
        points to is replaced and the link kept.
    pages : Mapping[str, bytes]
        Plain file name (no folders) -> the file's full bytes.
    replace_all : bool
        True for a full build: afterwards ``out_dir`` holds exactly ``pages``
        plus the entries whose names do not end in ``.html`` (e.g. a README the
        user keeps there). False for a partial rebuild: only ``pages`` are
        written; every other entry keeps its bytes, mtime and inode.

    Returns
    -------
    PublishResult
        Which names were written, unchanged, kept and removed. Unchanged pages
        keep their inode and mtime on either kind of build.

    Raises
    ------
    ValueError
        If a page name is empty, ``.``/``..``, or contains a path separator.
    TypeError
        If a page's content is not bytes.
    AtlasError
        If ``out_dir`` or its parent cannot be written (permissions, read-only
        filesystem, a file in the way, disk full); the staging folder is removed first.
    """
    for name, data in pages.items():
        _check_name(name)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"page {name!r}: content must be bytes, not {type(data).__name__}")
    pause = _pause_spec()
    shown = str(out_dir)
    out_dir = Path(out_dir).resolve()
    with lock(Path(shown)):
        staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
        try:
            _clean_leftovers(out_dir)
            if out_dir.exists() and not out_dir.is_dir():
                raise AtlasError(
                    Problem(shown, f"'{shown}' is a file, not a folder; cannot write the maps there", _FIX)
                )
            result = _stage(out_dir, staging, pages, replace_all, pause)
            _maybe_pause(pause, "staged")
            old = _swap(out_dir, staging)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if exc.errno in _USER_ERRNOS:
                raise _user_error(exc, shown) from exc
            raise
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _maybe_pause(pause, "swapped")
        if old is not None:
            # The new folder is live; a failure here only leaves garbage the next run removes.
            shutil.rmtree(old, ignore_errors=True)
    return result


def _check_name(name: str) -> None:
    if not isinstance(name, str) or name in ("", ".", ".."):
        raise ValueError(f"page name {name!r} is not a plain file name")
    if any(sep in name for sep in ("/", "\\", "\0")):
        raise ValueError(f"page name {name!r} must be a plain file name, without '/', '\\' or NUL")


def _user_error(exc: OSError, shown: str) -> AtlasError:
    blocker = _file_in_the_way(Path(os.fsdecode(exc.filename))) if exc.filename else None
    if exc.errno in (errno.ENOTDIR, errno.EEXIST) and blocker is not None:
        reason = f"'{_relative(blocker)}' is a file, not a folder"
    else:
        reason = exc.strerror or type(exc).__name__
        if exc.filename:
            reason += f" ('{exc.filename}')"
    return AtlasError(Problem(shown, f"cannot write the maps folder: {reason}", _FIX))


def _relative(path: Path) -> Path:
    """`path` as the user typed it: relative to the current folder where possible."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` (or itself) if it is not a folder."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return None if candidate.is_dir() else candidate
    return None


def _is_html(name: str) -> bool:
    return name.lower().endswith(".html")


def _stage(
    out_dir: Path,
    staging: Path,
    pages: Mapping[str, bytes],
    replace_all: bool,
    pause: tuple[str, float] | None,
) -> PublishResult:
    """Fill ``staging`` with the complete new folder; return what changes."""
    existing = sorted(os.listdir(out_dir)) if out_dir.is_dir() else []
    written: list[str] = []
    unchanged: list[str] = []
    kept: list[str] = []
    removed: list[str] = []
    # Plan first, so the "staging" pause can fire after half the entries.
    steps: list[tuple[str, Path, bytes | None]] = []  # (name, old path, bytes to write or None = link)
    for name in existing:
        if name in pages:
            continue
        if replace_all and _is_html(name):
            removed.append(name)
        else:
            kept.append(name)
            steps.append((name, out_dir / name, None))
    for name in sorted(pages):
        data = bytes(pages[name])
        old = out_dir / name
        if _same_bytes(old, data):
            unchanged.append(name)
            steps.append((name, old, None))
        else:
            written.append(name)
            steps.append((name, old, data))

    staging.mkdir()
    if out_dir.is_dir():
        shutil.copymode(out_dir, staging)
    half = len(steps) // 2
    for i, (name, old, data) in enumerate(steps):
        if i == half:
            _maybe_pause(pause, "staging")
        target = staging / name
        if data is None:
            _link_entry(old, target)
        else:
            _write_file(target, data, mode_from=old)
    if half == len(steps):
        _maybe_pause(pause, "staging")
    _fsync_dir(staging)
    return PublishResult(tuple(written), tuple(unchanged), tuple(kept), tuple(removed))


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False  # unreadable: rewrite it


def _write_file(path: Path, data: bytes, *, mode_from: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if mode_from.is_file() and not mode_from.is_symlink():
        shutil.copymode(mode_from, path)  # keep a mode the user chose for the old page


def _link_or_copy(src: str, dst: str) -> None:
    """Hard-link ``src`` to ``dst`` (same inode and mtime); copy if the filesystem refuses."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _link_entry(src: Path, dst: Path) -> None:
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        # A folder cannot be hard-linked; rebuild it, hard-linking the files inside.
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(str(src), str(dst))


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":
        return  # directories cannot be opened for fsync on Windows
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on a directory; nothing better to do
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- swap


def _renameat2_exchange(a: str, b: str) -> bool:
    """Atomically exchange two paths; False if this platform or filesystem cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    fa, fb = os.fsencode(a), os.fsencode(b)
    func = getattr(libc, "renameat2", None)
    if func is not None:
        func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        func.restype = ctypes.c_int
        rc = func(_AT_FDCWD, fa, _AT_FDCWD, fb, _RENAME_EXCHANGE)
    else:
        number = _SYS_RENAMEAT2.get(platform.machine().lower())
        if number is None:
            return False
        libc.syscall.restype = ctypes.c_long
        rc = libc.syscall(
            ctypes.c_long(number),
            ctypes.c_int(_AT_FDCWD),
            ctypes.c_char_p(fa),
            ctypes.c_int(_AT_FDCWD),
            ctypes.c_char_p(fb),
            ctypes.c_uint(_RENAME_EXCHANGE),
        )
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # old kernel or a filesystem without RENAME_EXCHANGE
    raise OSError(err, os.strerror(err), a)


def _swap(out_dir: Path, staging: Path) -> Path | None:
    """Put ``staging`` in place of ``out_dir``; return where the old tree now is."""
    parent = out_dir.parent
    if not out_dir.exists():
        os.rename(staging, out_dir)
        _fsync_dir(parent)
        return None
    if _renameat2_exchange(str(staging), str(out_dir)):
        _fsync_dir(parent)
        return staging  # the old tree now lives at the staging path
    # No atomic exchange: out_dir is missing between these two renames (see publish).
    old = parent / f".{out_dir.name}.old-{os.getpid()}"
    os.rename(out_dir, old)
    os.rename(staging, out_dir)
    _fsync_dir(parent)
    return old


def _clean_leftovers(out_dir: Path) -> None:
    """Remove staging/old folders of killed runs (safe: we hold the lock)."""
    parent = out_dir.parent
    staging_prefix = f".{out_dir.name}.staging-"
    old_prefix = f".{out_dir.name}.old-"
    try:
        names = os.listdir(parent)
    except OSError:
        return
    olds = sorted((parent / n for n in names if n.startswith(old_prefix)), key=lambda p: p.stat().st_mtime_ns)
    if olds and not out_dir.exists():
        # Killed between the two renames of the fallback swap: restore the old folder.
        os.rename(olds.pop(), out_dir)
    for name in names:
        if name.startswith((staging_prefix, old_prefix)):
            path = parent / name
            if path.exists() and path != out_dir:
                shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------- test hook


def _pause_spec() -> tuple[str, float] | None:
    spec = os.environ.get(PAUSE_ENV, "")
    if not spec:
        return None
    stage, _, seconds = spec.partition(":")
    if stage not in _STAGES:
        raise ValueError(f"{PAUSE_ENV}={spec!r}: stage must be one of {', '.join(_STAGES)}")
    try:
        return stage, float(seconds or 0)
    except ValueError:
        raise ValueError(f"{PAUSE_ENV}={spec!r}: seconds must be a number, as in 'staged:5'") from None


def _maybe_pause(pause: tuple[str, float] | None, stage: str) -> None:
    # Test hook only: announce, then sleep so a test can SIGKILL us right here.
    if pause is not None and pause[0] == stage:
        print(f"tongliao-publish: paused at {stage} pid {os.getpid()}", file=sys.stderr, flush=True)
        time.sleep(pause[1])
