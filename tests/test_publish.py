"""Tests for geo.publish: atomic, locked publishing of the maps folder.

Runs that must be stopped midway (killed, interrupted, or holding the lock while
another waits) go through ``tests/helpers/publish_pages.py`` in a child process: it
monkeypatches geo.publish to say ``paused at <stage>`` and block on its stdin, so the
test acts at that exact point and then lets it go on (a line) or kills it. Nothing
here waits for time to pass.
"""

from __future__ import annotations

import errno
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import geo.publish as gp
from geo.cli import main
from geo.errors import AtlasError
from geo.publish import MANIFEST, PublishResult, atomic_write, lock, publish

ROOT = Path(__file__).resolve().parents[1]
HELPER = Path(__file__).parent / "helpers" / "publish_pages.py"

OLD = {f"15052{i}-old.html": f"<p>old {i}</p>" for i in range(6)} | {"index.html": "<p>old index</p>"}
NEW = {f"15052{i}-old.html": f"<p>new {i}</p>" for i in range(3)} | {
    "index.html": "<p>new index</p>",
    "150525-naiman.html": "<p>naiman</p>",
    "150581-huolinguole.html": "<p>huolinguole</p>",
}
OTHER = {"index.html": "<p>other index</p>", "150502-horqin.html": "<p>horqin</p>"}
GONE = tuple(sorted(set(OLD) - set(NEW)))  # pages of OLD that a full build of NEW removes


def _b(pages: dict[str, str]) -> dict[str, bytes]:
    return {name: text.encode() for name, text in pages.items()}


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` but the manifest: name -> bytes."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != MANIFEST}


def _listed(folder: Path) -> list[str]:
    return json.loads((folder / MANIFEST).read_text())["files"]


def _stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def _leftovers(out_dir: Path) -> list[str]:
    """Hidden staging/old folders next to ``out_dir``, temporary files in it (the lock file is expected)."""
    beside = [p.name for p in out_dir.parent.iterdir() if p.name.startswith(f".{out_dir.name}.")]
    inside = (
        [p.name for p in out_dir.iterdir() if p.name.endswith(".tongliao-tmp")] if out_dir.is_dir() else []
    )
    return sorted(set(beside + inside) - {f".{out_dir.name}.lock"})


def _age(folder: Path) -> None:
    """Backdate every file, so a rewrite would show in mtime_ns even on a coarse clock."""
    for p in folder.iterdir():
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))


def _fill(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


# ------------------------------------------------------------------ in-process


@pytest.mark.parametrize(
    ("built", "by_hand", "pages", "expect"),
    [
        pytest.param(None, None, NEW, PublishResult(written=tuple(sorted(NEW))), id="into-new-folder"),
        pytest.param(
            OLD,
            {"README.txt": "mine", "notes.html": "mine too"},
            NEW,
            PublishResult(written=tuple(sorted(NEW)), kept=("README.txt", "notes.html"), removed=GONE),
            id="over-an-earlier-build",
        ),
        pytest.param(
            OLD,
            {"Upper.HTML": "mine"},
            {},
            PublishResult(kept=("Upper.HTML",), removed=tuple(sorted(OLD))),
            id="empty-build-removes-only-what-the-atlas-wrote",
        ),
        pytest.param(
            None,
            OLD | {"notes.html": "mine"},
            NEW,
            PublishResult(written=tuple(sorted(NEW)), kept=(*GONE, "notes.html")),
            id="first-build-keeps-every-file-already-there",
        ),
    ],
)
def test_full_publish(
    tmp_path: Path, built: dict | None, by_hand: dict | None, pages: dict, expect: PublishResult
) -> None:
    out = tmp_path / "maps"
    if built is not None:
        publish(out, _b(built), replace_all=True)
    if by_hand is not None:
        _fill(out, by_hand)
    result = publish(out, _b(pages), replace_all=True)
    assert result == expect
    there = (built or {}) | (by_hand or {})
    assert _snapshot(out) == _b({name: there[name] for name in expect.kept} | pages)
    assert _listed(out) == sorted(pages)
    assert _leftovers(out) == []


@pytest.mark.parametrize(
    ("pages", "written", "unchanged"),
    [
        pytest.param({"150521-old.html": "<p>rebuilt</p>"}, ("150521-old.html",), (), id="changed-page"),
        pytest.param({"150529-new.html": "<p>added</p>"}, ("150529-new.html",), (), id="new-page"),
        pytest.param({"150521-old.html": OLD["150521-old.html"]}, (), ("150521-old.html",), id="same-bytes"),
    ],
)
def test_one_page_publish_leaves_the_rest_untouched(
    tmp_path: Path, pages: dict[str, str], written: tuple[str, ...], unchanged: tuple[str, ...]
) -> None:
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    (out / "README.txt").write_text("mine")
    (out / "img").mkdir()
    (out / "img" / "logo.png").write_bytes(b"\x89PNG")
    _age(out)
    before, stats = _snapshot(out), _stats(out)
    logo_ino = (out / "img" / "logo.png").stat().st_ino

    result = publish(out, _b(pages), replace_all=False)

    assert result.written == written
    assert result.unchanged == unchanged
    assert result.removed == ()
    assert set(result.kept) == set(before) - set(pages) | {"img"}
    after, new_stats = _snapshot(out), _stats(out)
    assert after == before | _b(pages)
    for name in set(before) - set(written):
        assert new_stats[name] == stats[name], name  # same inode, same mtime_ns
    for name in written:
        if name in stats:
            assert new_stats[name] != stats[name]
    assert (out / "img" / "logo.png").stat().st_ino == logo_ino
    assert _listed(out) == sorted(set(OLD) | set(pages))
    assert (new_stats[MANIFEST] == stats[MANIFEST]) == (set(pages) <= set(OLD))
    assert _leftovers(out) == []


def test_full_build_keeps_inode_of_unchanged_pages(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    _age(out)
    stats = _stats(out)
    pages = NEW | {"150520-old.html": OLD["150520-old.html"]}  # one page with the same bytes
    result = publish(out, _b(pages), replace_all=True)
    assert result.unchanged == ("150520-old.html",)
    after = _stats(out)
    assert after["150520-old.html"] == stats["150520-old.html"]
    assert after["index.html"] != stats["index.html"]


@pytest.mark.parametrize(
    "manifest",
    [
        b"not json",
        b'{"files": 3}',
        b'["x"]',
        json.dumps({"files": ["../outside.html", "/etc/x", ""]}).encode(),
    ],
)
def test_a_damaged_manifest_removes_nothing(tmp_path: Path, manifest: bytes) -> None:
    (tmp_path / "outside.html").write_text("mine")
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    (out / MANIFEST).write_bytes(manifest)
    result = publish(out, _b(NEW), replace_all=True)
    assert result.removed == ()
    assert _snapshot(out) == _b(OLD | NEW)
    assert (tmp_path / "outside.html").read_text() == "mine"
    assert _listed(out) == sorted(NEW)


@pytest.mark.parametrize(
    "name", ["", ".", "..", "sub/index.html", "../index.html", "a\\b.html", "a\0.html", MANIFEST]
)
def test_bad_names_are_rejected(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        publish(tmp_path / "maps", {name: b"x"}, replace_all=True)
    assert list(tmp_path.iterdir()) == []


def test_content_must_be_bytes(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="must be bytes"):
        publish(tmp_path / "maps", {"index.html": "text"}, replace_all=True)  # type: ignore[dict-item]


@pytest.fixture
def readonly_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder that refuses new entries, even for root (immutable flag), or skip."""
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "maps").mkdir()
    (folder / "maps" / "index.html").write_text("old")
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        made = (
            chattr
            and subprocess.run([chattr, "+i", str(folder)], check=False, capture_output=True).returncode == 0
        )
        undo = [chattr, "-i", str(folder)] if made else None
    else:
        folder.chmod(0o500)
        undo = None
    try:
        try:
            (folder / "probe").touch()
        except OSError:
            yield folder
        else:
            pytest.skip("cannot make a folder read-only here")
    finally:
        if undo:
            subprocess.run(undo, check=True)
        folder.chmod(0o700)


def test_readonly_parent_is_a_user_error(readonly_dir: Path) -> None:
    out = readonly_dir / "maps"
    with pytest.raises(AtlasError, match=r"cannot write the maps folder: .*choose another --out folder"):
        publish(out, {"index.html": b"new"}, replace_all=True)
    assert _snapshot(out) == {"index.html": b"old"}
    assert _leftovers(out) == []


def _in_a_file(tmp_path: Path) -> Path:
    (tmp_path / "afile").write_text("x")
    return tmp_path / "afile" / "maps"


def _deep_in_a_file(tmp_path: Path) -> Path:
    (tmp_path / "afile").write_text("x")
    return tmp_path / "afile" / "sub" / "maps"


def _is_a_file(tmp_path: Path) -> Path:
    (tmp_path / "afile").write_text("x")
    return tmp_path / "afile"


def _in_a_loop(tmp_path: Path) -> Path:
    (tmp_path / "loop").symlink_to("loop")
    return tmp_path / "loop" / "maps"


def _is_a_loop(tmp_path: Path) -> Path:
    (tmp_path / "loop").symlink_to("loop")
    return tmp_path / "loop"


@pytest.mark.parametrize(
    ("make_out", "match"),
    [
        (
            _in_a_file,
            r"'.*afile' is a file, not a folder; choose another --out folder or fix its permissions",
        ),
        (_deep_in_a_file, r"'.*afile' is a file, not a folder; choose another --out folder"),
        (_is_a_file, r"'.*afile' is a file, not a folder; choose another --out folder"),
        (
            _in_a_loop,
            r"'.*loop' is a symbolic link in a loop; point the link at a folder or choose another --out",
        ),
        (
            _is_a_loop,
            r"'.*loop' is a symbolic link in a loop; point the link at a folder or choose another --out",
        ),
    ],
)
def test_unwritable_out_dir_is_a_user_error(tmp_path: Path, make_out, match: str) -> None:
    out = make_out(tmp_path)
    before = {p.name for p in tmp_path.iterdir()}
    with pytest.raises(AtlasError, match=match) as info:
        publish(out, {"index.html": b"x"}, replace_all=True)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].where == str(out)
    assert {p.name for p in tmp_path.iterdir()} - before <= {f".{out.name}.lock"}  # nothing else written


def _deny(*args: object, **kwargs: object) -> None:
    raise PermissionError(errno.EACCES, "Permission denied", "somewhere")


def _readonly_fs(*args: object, **kwargs: object) -> bool:
    raise OSError(errno.EROFS, "Read-only file system", "somewhere")


@pytest.mark.parametrize(
    ("target", "fake", "match"),
    [
        ("_write_new", _deny, "Permission denied"),
        ("_link_entry", _deny, "Permission denied"),
        ("_exchange", _readonly_fs, "Read-only file system"),
    ],
)
def test_failure_midway_cleans_staging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, fake, match: str
) -> None:
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    (out / "README.txt").write_text("mine")  # so that something gets linked
    monkeypatch.setattr(gp, target, fake)
    with pytest.raises(AtlasError, match=match):
        publish(out, _b(NEW), replace_all=True)
    assert _snapshot(out) == _b(OLD) | {"README.txt": b"mine"}
    assert _leftovers(out) == []


def test_lock_is_reentrant_for_the_caller(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    with lock(out):
        publish(out, _b(OLD), replace_all=True)
        current = _snapshot(out)
        with lock(out):
            publish(out, {"index.html": current["index.html"] + b"!"}, replace_all=False)
    assert _snapshot(out)["index.html"] == b"<p>old index</p>!"


def test_fallback_without_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gp, "_exchange", lambda a, b: False)
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    publish(out, _b(NEW), replace_all=True)
    assert _snapshot(out) == _b(NEW)
    assert _leftovers(out) == []


def test_killed_between_fallback_renames_restores_old_folder(tmp_path: Path) -> None:
    # The state a kill leaves between "old away" and "new in": no maps/, an old copy beside it.
    _fill(tmp_path / ".maps.old-4242", OLD)
    (tmp_path / ".maps.staging-4242").mkdir()
    out = tmp_path / "maps"
    result = publish(out, {"index.html": b"fresh"}, replace_all=False)
    assert set(result.kept) == set(OLD) - {"index.html"}
    assert _snapshot(out) == _b(OLD) | {"index.html": b"fresh"}
    assert _leftovers(out) == []


def test_atomic_write_keeps_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_bytes(b"old")
    path.chmod(0o640)
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["data.json"]


# ------------------------------------------------------------- a mount point


def _busy(*args: object) -> None:
    raise OSError(errno.EBUSY, "Device or resource busy", "maps")


def test_folder_that_cannot_be_renamed_is_updated_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    _fill(out, {"notes.html": "mine"})
    pages = NEW | {"150520-old.html": OLD["150520-old.html"]}
    _age(out)
    stats = _stats(out)
    monkeypatch.setattr(gp, "_swap", _busy)
    result = publish(out, _b(pages), replace_all=True)
    assert result.removed == tuple(n for n in GONE if n != "150520-old.html")
    assert result.unchanged == ("150520-old.html",)
    assert _snapshot(out) == _b(pages | {"notes.html": "mine"})
    assert _stats(out)["150520-old.html"] == stats["150520-old.html"]
    assert _listed(out) == sorted(pages)
    assert _leftovers(out) == []


def test_interrupted_file_by_file_update_leaves_whole_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    monkeypatch.setattr(gp, "_swap", _busy)
    write, calls = gp._write_new, []

    def interrupted(path: Path, data: bytes, *, mode_from: Path) -> None:
        calls.append(path)
        if len(calls) == len(NEW) + 4:  # pages and manifest staged; in place: the manifest, one page
            raise KeyboardInterrupt
        write(path, data, mode_from=mode_from)

    monkeypatch.setattr(gp, "_write_new", interrupted)
    with pytest.raises(KeyboardInterrupt):
        publish(out, _b(NEW), replace_all=True)
    now = _snapshot(out)
    assert set(OLD) <= set(now) <= set(OLD) | set(NEW)
    assert all(now[n] in (_b(OLD).get(n), _b(NEW).get(n)) for n in now), now
    assert sum(now[n] == _b(NEW).get(n) for n in now) == 1
    assert _listed(out) == sorted(set(OLD) | set(NEW))  # every page written so far is listed
    assert _leftovers(out) == []


def test_real_mount_point(tmp_path: Path) -> None:
    """Bind-mount --out onto itself in a user namespace, where renaming it gives EBUSY."""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False).returncode != 0:
        pytest.skip("unshare -rm (an unprivileged mount namespace) is not allowed here")
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    script = 'mount --bind "$1" "$1" && exec "$2" "$3" "$1" "$4"'
    run = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", str(out), sys.executable, str(HELPER), json.dumps(NEW)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["removed"] == list(GONE)
    assert _snapshot(out) == _b(NEW)
    assert _leftovers(out) == []


# ----------------------------------------------------------------- subprocesses


def _spawn(out: Path, pages: dict[str, str], *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(HELPER), *options, str(out), json.dumps(pages)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _says(procs: list[subprocess.Popen], line: str) -> subprocess.Popen:
    """Read stderr of ``procs`` until one of them prints ``line``; return that one.

    The time limit is only there so that a broken run fails instead of hanging.
    """
    deadline = time.monotonic() + 60
    with selectors.DefaultSelector() as sel:
        for proc in procs:
            sel.register(proc.stderr, selectors.EVENT_READ, proc)
        while (left := deadline - time.monotonic()) > 0:
            for key, _ in sel.select(left):
                said = key.fileobj.readline()
                if said.strip() == line:
                    return key.data
                if not said:
                    raise AssertionError(f"helper exited before {line!r}: {key.data.wait()}")
    raise AssertionError(f"no helper said {line!r}")


def _go_on(proc: subprocess.Popen) -> None:
    proc.stdin.write("\n")
    proc.stdin.flush()


def _finish(proc: subprocess.Popen) -> None:
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def _assert_locked(out: Path) -> None:
    """The build lock of ``out`` is held by someone else (not this thread)."""
    with (
        pytest.raises(AtlasError, match="another build is writing this folder; wait for it to finish"),
        lock(out, wait=False),
    ):
        pass


@pytest.mark.parametrize("stage", ["staging", "staged", "swapped"])
@pytest.mark.parametrize("swap", ["exchange", "fallback"])
def test_kill_leaves_wholly_old_or_wholly_new(tmp_path: Path, stage: str, swap: str) -> None:
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    (out / "README.txt").write_text("mine")
    extra = ["--no-exchange"] if swap == "fallback" else []
    proc = _spawn(out, NEW, "--pause", stage, *extra)
    try:
        _says([proc], f"paused at {stage}")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
        proc.communicate()
    readme = {"README.txt": b"mine"}
    expected = _b(NEW) | readme if stage == "swapped" else _b(OLD) | readme
    assert _snapshot(out) == expected
    assert _leftovers(out) != []  # the killed run left its staging (or old) folder behind

    publish(out, {"index.html": b"next"}, replace_all=False)
    assert _leftovers(out) == []
    assert _snapshot(out) == expected | {"index.html": b"next"}


def test_second_build_waits_for_the_first(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    first = _spawn(out, NEW, "--pause", "staged")
    _says([first], "paused at staged")
    _assert_locked(out)
    second = _spawn(out, OTHER, "--probe")
    _says([second], "lock busy")  # it then waits: it may not even start staging
    assert _snapshot(out) == _b(OLD)
    _go_on(first)
    _finish(first)
    _finish(second)
    assert _snapshot(out) == _b(OTHER)  # the second built over the first, not beside it
    assert _leftovers(out) == []


def test_builds_started_together_take_turns(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    builds = {"new": _spawn(out, NEW, "--pause", "staged"), "other": _spawn(out, OTHER, "--pause", "staged")}
    first = _says(list(builds.values()), "paused at staged")
    _assert_locked(out)  # only one may stand before the swap at a time
    second = next(p for p in builds.values() if p is not first)
    _go_on(first)
    _finish(first)
    _says([second], "paused at staged")
    _go_on(second)
    _finish(second)
    assert _snapshot(out) == _b(NEW if second is builds["new"] else OTHER)
    assert _leftovers(out) == []


def test_caller_held_lock_blocks_other_builds(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    with lock(out):
        publish(out, _b(OLD), replace_all=True)
        other = _spawn(out, OTHER, "--probe")
        _says([other], "lock busy")
        assert _snapshot(out) == _b(OLD)
    _finish(other)
    assert _snapshot(out) == _b(OTHER)


def test_threads_of_one_process_are_serialised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "maps"
    inside, go_on = threading.Event(), threading.Event()
    swap, order, errors = gp._swap, [], []

    def held_swap(out_dir: Path, staging: Path) -> Path | None:
        order.append(threading.current_thread().name)
        inside.set()
        assert go_on.wait(60)
        return swap(out_dir, staging)

    def build(pages: dict[str, str]) -> None:
        try:
            publish(out, _b(pages), replace_all=True)
        except BaseException as exc:  # collected, asserted empty below
            errors.append(exc)

    monkeypatch.setattr(gp, "_swap", held_swap)
    threads = [threading.Thread(target=build, args=(p,), name=n) for n, p in (("new", NEW), ("other", OTHER))]
    threads[0].start()
    assert inside.wait(60)
    _assert_locked(out)  # from this thread, while "new" holds it
    threads[1].start()
    go_on.set()
    for t in threads:
        t.join(60)
    assert errors == []
    assert order == ["new", "other"]
    assert _snapshot(out) == _b(OTHER)
    assert _leftovers(out) == []


# ------------------------------------------------------------ the command line

BUILD = ["build", "--data", str(ROOT / "tests/fixtures/data-small"), "--boundaries", str(ROOT / "boundaries")]


def test_ctrl_c_during_a_build_leaves_maps_as_they_were(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    assert main([*BUILD, "--out", str(out)]) == 0
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    run = subprocess.Popen(
        [
            sys.executable,
            str(HELPER),
            "--pause",
            "staging",
            "cli",
            *BUILD,
            "--out",
            str(out),
            "--theme",
            "energy",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _says([run], "paused at staging")
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert re.fullmatch(r"error: interrupted \(Ctrl-C\); nothing was left half-written, run it again\n", err)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before
    assert _leftovers(out) == []


@pytest.mark.parametrize("mount_point", [False, True], ids=["folder", "mount-point"])
def test_build_keeps_files_the_atlas_did_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mount_point: bool
) -> None:
    out = tmp_path / "o"
    _fill(out, {"notes.html": "hi\n", "150525-naiman.html": "my own notes on Naiman\n"})
    if mount_point:
        monkeypatch.setattr(gp, "_swap", _busy)
    assert main([*BUILD, "--out", str(out)]) == 0
    built = set(_listed(out))
    assert (out / "notes.html").read_text() == "hi\n"
    assert "notes.html" not in built
    assert "150525-naiman.html" in built  # a name the atlas makes is the atlas's to write
    assert main([*BUILD, "--out", str(out), "--district", "奈曼旗"]) == 0
    assert set(_listed(out)) == built
    assert (out / "notes.html").read_text() == "hi\n"
    assert _leftovers(out) == []
