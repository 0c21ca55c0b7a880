"""Publishing rendered pages into the maps folder, all at once or not at all.

The last stage of the pipeline (render -> publish). :func:`publish` builds the new
folder in a hidden staging folder beside it and swaps the two in one step, so a
browser, a file watcher or a kill sees the wholly old or the wholly new folder.
Unchanged files are hard-linked, keeping their inode and mtime. A folder that
cannot be renamed (a mount point) is updated file by file with :func:`atomic_write`.

A build deletes only files the atlas wrote: the manifest ``.tongliao-atlas.json``
in the folder lists them. Two builds at once are serialised by :func:`lock`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import filelock

from .cells import display_path
from .errors import AtlasError, Problem

__all__ = ["MANIFEST", "PublishResult", "atomic_write", "fsync_dir", "lock", "lock_path", "publish"]

#: The file in the maps folder that lists the names the atlas wrote there.
MANIFEST = ".tongliao-atlas.json"
_TMP = ".tongliao-tmp"  # suffix of atomic_write's temporary files; only ours end so
_FIX = "choose another --out folder or fix its permissions"
_REASONS = {  # errno -> what is wrong and the fix, where the system's words would not help
    errno.ENAMETOOLONG: ("a name in its path is too long for the filesystem", "choose a shorter --out path"),
}

# errno values that mean "you cannot write there", the user's to fix; others (EIO...) stay OSError.
_USER_ERRNOS = {
    *(errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST, errno.EISDIR, errno.ENOSPC),
    *(errno.ELOOP, errno.ENAMETOOLONG, getattr(errno, "EDQUOT", errno.ENOSPC)),
}


@dataclass(frozen=True)
class PublishResult:
    """What :func:`publish` did, as sorted file names inside the folder (the manifest aside).

    Attributes
    ----------
    written : tuple of str
        Pages that are new or whose bytes changed.
    unchanged : tuple of str
        Pages given whose bytes were identical (file kept with its inode and mtime).
    kept : tuple of str
        Entries not among the pages that were left untouched.
    removed : tuple of str
        Pages of an earlier build, listed in the manifest, that a full build no longer makes.
    """

    written: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@contextlib.contextmanager
def lock(out_dir: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold the exclusive build lock of ``out_dir``.

    The lock is a :class:`filelock.FileLock` on the hidden file ``.<name>.lock``
    next to ``out_dir``, left in place afterwards. Other processes and other
    threads wait for it; within one thread it is reentrant, so a caller that must
    read the folder and publish without another build slipping in between wraps
    both in ``with lock(out_dir):`` (:func:`publish` takes it itself too).

    Parameters
    ----------
    out_dir : Path
        The maps folder (it need not exist; its parent folders are created).
    wait : bool
        False: if another build holds the lock, raise at once instead of waiting.

    Raises
    ------
    AtlasError
        If the lock file cannot be created next to ``out_dir``, or ``wait`` is
        False and another build holds the lock.
    """
    shown = str(out_dir)
    try:
        real = Path(os.path.realpath(out_dir))  # a symlink loop stays in: mkdir below names it
        real.parent.mkdir(parents=True, exist_ok=True)
        held = filelock.FileLock(lock_path(real), is_singleton=True)
        held.acquire(blocking=wait)
    except filelock.Timeout:
        problem = Problem(shown, "another build is writing this folder", "wait for it to finish")
        raise AtlasError(problem) from None
    except OSError as exc:
        raise _user_error(exc, shown) from exc
    try:
        yield
    finally:
        held.release()


def lock_path(out_dir: Path) -> Path:
    """The lock file of a build into `out_dir`: ``.<name>.lock`` beside it (it exists once a build ran)."""
    real = Path(os.path.realpath(out_dir))
    return real.parent / f".{real.name}.lock"


def atomic_write(path: Path, data: bytes) -> None:
    """Replace the file ``path`` by ``data`` in one step, never leaving half a file.

    ``data`` goes to a hidden temporary file beside ``path`` (``.<name>.<random>.tongliao-tmp``),
    is fsynced and renamed over ``path``, so a reader or a kill sees the old or the new
    bytes. The new file keeps the permissions of the one it replaces. One writer per path.

    Parameters
    ----------
    path : Path
        The file to write; its folder must exist.
    data : bytes
        The file's full new content.

    Raises
    ------
    OSError
        If the folder cannot be written; the temporary file is removed first.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{_TMP}")
    try:
        _write_new(tmp, data, mode_from=path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def publish(out_dir: Path, pages: Mapping[str, bytes], *, replace_all: bool) -> PublishResult:
    """Write ``pages`` into ``out_dir`` atomically, under :func:`lock`.

    The new folder is built in ``.<name>.staging-<pid>`` beside ``out_dir`` and
    swapped in (:func:`_swap`): a kill at any moment leaves ``out_dir`` wholly old or
    wholly new, and the next publish cleans up after it. If ``out_dir`` cannot be
    renamed (EBUSY: a mount point), its files are replaced one by one instead:
    never half a page, but a kill midway leaves some pages old and some new.

    Parameters
    ----------
    out_dir : Path
        The maps folder; created if missing. If it is a symlink, the folder it
        points to is replaced and the link kept.
    pages : Mapping[str, bytes]
        Plain file name (no folders) -> the file's full bytes.
    replace_all : bool
        True for a full build: pages of an earlier build (listed in the manifest)
        that are not in ``pages`` are removed. False for a one-district rebuild:
        only ``pages`` are written. Anything the atlas did not write is never touched.

    Returns
    -------
    PublishResult
        Which names were written, unchanged (inode and mtime kept), kept and removed.

    Raises
    ------
    ValueError
        If a page name is not a plain file name, or is the manifest's.
    TypeError
        If a page's content is not bytes.
    AtlasError
        If ``out_dir`` cannot be written (permissions, read-only filesystem, a
        file in the way, a symlink loop, disk full); the staging folder is removed.
    """
    for name, data in pages.items():
        if not _is_plain(name) or name == MANIFEST:
            raise ValueError(f"page name {name!r} must be a plain file name, without '/', '\\' or NUL")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"page {name!r}: content must be bytes, not {type(data).__name__}")
    shown = str(out_dir)
    with lock(out_dir):
        out_dir = Path(os.path.realpath(out_dir))
        staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
        try:
            _clean_leftovers(out_dir)
            if os.path.lexists(out_dir) and not out_dir.is_dir():  # a file, or a link in a loop
                raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(out_dir))
            plan = _Plan.make(out_dir, pages, replace_all)
            try:
                _stage(out_dir, staging, plan)
                old = _swap(out_dir, staging)
            except OSError as exc:
                if exc.errno != errno.EBUSY:
                    raise
                old = staging  # a mount point cannot be renamed: update it in place, drop the staging
                _replace_in_place(out_dir, plan)
        except BaseException as exc:  # Ctrl-C too: never leave the staging folder behind
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError) and exc.errno in _USER_ERRNOS:
                raise _user_error(exc, shown) from exc
            raise
        if old is not None:
            # The new folder is live; a failure here only leaves garbage the next run removes.
            shutil.rmtree(old, ignore_errors=True)
    return plan.result


# ------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class _Plan:
    result: PublishResult
    writes: dict[str, bytes]  # name -> new bytes, the manifest included when it changes
    links: tuple[str, ...]  # names whose current entry goes into the new folder as it is
    listed: frozenset[str]  # what the old manifest lists that exists; the new one lists `pages` too

    @classmethod
    def make(cls, out_dir: Path, pages: Mapping[str, bytes], replace_all: bool) -> _Plan:
        existing = set(os.listdir(out_dir)) - {MANIFEST} if out_dir.is_dir() else set()
        listed = frozenset(_read_manifest(out_dir) & existing)
        removed = {n for n in listed - set(pages) if not (out_dir / n).is_dir()} if replace_all else set()
        kept = existing - set(pages) - removed
        same = {n for n in pages if _same_bytes(out_dir / n, bytes(pages[n]))}
        writes = {n: bytes(pages[n]) for n in sorted(set(pages) - same)}
        manifest = _manifest(set(pages) | (set() if replace_all else listed))
        links = kept | same
        if _same_bytes(out_dir / MANIFEST, manifest):
            links.add(MANIFEST)
        else:
            writes[MANIFEST] = manifest
        written = tuple(sorted(set(writes) - {MANIFEST}))
        result = PublishResult(written, *(tuple(sorted(s)) for s in (same, kept, removed)))
        return cls(result, writes, tuple(sorted(links)), listed)


def _manifest(names: set[str]) -> bytes:
    note = "files tongliao-maps wrote here; a full build deletes only these, when it no longer makes them"
    return (json.dumps({"note": note, "files": sorted(names)}, indent=1) + "\n").encode()


def _read_manifest(out_dir: Path) -> set[str]:
    try:
        names = json.loads((out_dir / MANIFEST).read_bytes())["files"]
        return {n for n in names if isinstance(n, str) and _is_plain(n)}
    except (OSError, ValueError, KeyError, TypeError):
        return set()  # none yet, or damaged: then nothing is removed


def _is_plain(name: object) -> bool:
    return isinstance(name, str) and name not in ("", ".", "..") and not any(c in name for c in "/\\\0")


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False  # unreadable: rewrite it


# ------------------------------------------------------------------------ write


def _stage(out_dir: Path, staging: Path, plan: _Plan) -> None:
    """Fill ``staging`` with the complete new folder."""
    staging.mkdir()
    if out_dir.is_dir():
        shutil.copymode(out_dir, staging)
    for name in plan.links:
        _link_entry(out_dir / name, staging / name)
    for name, data in plan.writes.items():
        _write_new(staging / name, data, mode_from=out_dir / name)
    fsync_dir(staging)


def _replace_in_place(out_dir: Path, plan: _Plan) -> None:
    """Apply ``plan`` to ``out_dir`` file by file (for a folder that cannot be renamed)."""
    manifest = plan.writes.get(MANIFEST)
    if manifest is not None:
        # First list old and new names, so no page we write is ever unlisted if we stop midway.
        atomic_write(out_dir / MANIFEST, _manifest(plan.listed | set(plan.writes) - {MANIFEST}))
    for name, data in plan.writes.items():
        if name != MANIFEST:
            atomic_write(out_dir / name, data)
    for name in plan.result.removed:
        os.unlink(out_dir / name)
    if manifest is not None:
        atomic_write(out_dir / MANIFEST, manifest)


def _write_new(path: Path, data: bytes, *, mode_from: Path) -> None:
    with open(path, "xb") as file:  # "x": never through a file or link already there
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    if mode_from.is_file() and not mode_from.is_symlink():
        shutil.copymode(mode_from, path)  # keep a mode the user chose for the old page


def _link_entry(src: str | Path, dst: str | Path) -> None:
    """Put ``src`` at ``dst`` as a hard link (same inode and mtime), a copy where links fail."""
    if os.path.islink(src):
        os.symlink(os.readlink(src), dst)
    elif os.path.isdir(src):  # a folder cannot be hard-linked: rebuild it, linking the files inside
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_entry)
    else:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries to disk, so a rename in it survives a power cut."""
    with contextlib.suppress(OSError):  # Windows and some filesystems cannot fsync a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ------------------------------------------------------------------------- swap


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """glibc's ``renameat2`` (glibc >= 2.28), or None where libc has no such symbol."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step with Linux's ``renameat2(..., RENAME_EXCHANGE)``.

    Python has no binding for it, so it is called through ctypes. Returns False, and
    the caller falls back to two renames, where it is missing: not Linux, a libc
    without the symbol (glibc < 2.28, some musl), an old kernel or a filesystem that
    refuses the flag. Any other failure (EBUSY for a mount point...) is an OSError.
    """
    func = _renameat2()
    at_fdcwd, rename_exchange = -100, 2  # from <fcntl.h> and <linux/fs.h>
    if func is None:
        return False
    if func(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # old kernel, or a filesystem (NFS...) without RENAME_EXCHANGE
    raise OSError(err, os.strerror(err), str(b))


def _swap(out_dir: Path, staging: Path) -> Path | None:
    """Put ``staging`` in place of ``out_dir``; return where the old tree now is.

    Without an atomic exchange (macOS, Windows, NFS) the old folder is renamed to
    ``.<name>.old-<pid>`` and the new one renamed in: if the process dies between
    the two renames, :func:`_clean_leftovers` renames the old folder back.
    """
    parent = out_dir.parent
    if not out_dir.exists():
        os.rename(staging, out_dir)
        old = None
    elif _exchange(staging, out_dir):
        old = staging  # the old tree now lives at the staging path
    else:
        old = parent / f".{out_dir.name}.old-{os.getpid()}"
        os.rename(out_dir, old)
        os.rename(staging, out_dir)
    fsync_dir(parent)
    return old


def _clean_leftovers(out_dir: Path) -> None:
    """Remove what killed runs left: staging/old folders, temporary files (safe: we hold the lock)."""
    parent = out_dir.parent
    prefixes = (f".{out_dir.name}.staging-", f".{out_dir.name}.old-")
    names = os.listdir(parent)
    olds = [parent / n for n in names if n.startswith(prefixes[1])]
    if olds and not out_dir.exists():  # killed between the two renames of the fallback swap
        os.rename(max(olds, key=lambda p: p.stat().st_mtime_ns), out_dir)
    for name in names:
        if name.startswith(prefixes) and (parent / name).exists() and parent / name != out_dir:
            shutil.rmtree(parent / name, ignore_errors=True)
    for name in os.listdir(out_dir) if out_dir.is_dir() else ():
        if name.startswith(".") and name.endswith(_TMP):
            os.unlink(out_dir / name)


# ----------------------------------------------------------------------- errors


def _user_error(exc: OSError, shown: str) -> AtlasError:
    reason, fix = _REASONS.get(exc.errno, (exc.strerror or type(exc).__name__, _FIX))
    path = Path(os.fsdecode(exc.filename)) if exc.filename else None
    # The nearest part of the path that exists: a file or a looping link there is the problem.
    there = next((p for p in (path, *path.parents) if os.path.lexists(p)), None) if path else None
    if exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.ELOOP) and there and not there.is_dir():
        where = Path(display_path(there.parent), there.name)  # not resolve(): it may be a link loop
        if os.path.exists(there):
            reason = f"'{where}' is a file, not a folder"
        else:  # a link that leads nowhere: realpath() has followed every link that leads somewhere
            reason, fix = (
                f"'{where}' is a symbolic link in a loop",
                "point the link at a folder or choose another --out",
            )
    elif exc.filename and exc.errno not in _REASONS:
        reason += f" ('{exc.filename}')"
    return AtlasError(Problem(shown, f"cannot write the maps folder: {reason}", fix))
