"""Tests for geo.publish: atomic, locked publishing of the maps folder."""

from __future__ import annotations

import errno
import json
import os
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
from geo.errors import AtlasError
from geo.publish import PublishResult, lock, publish

HELPER = Path(__file__).parent / "helpers" / "publish_pages.py"

OLD = {f"15052{i}-old.html": f"<p>old {i}</p>" for i in range(6)} | {"index.html": "<p>old index</p>"}
NEW = {f"15052{i}-old.html": f"<p>new {i}</p>" for i in range(3)} | {
    "index.html": "<p>new index</p>",
    "150525-naiman.html": "<p>naiman</p>",
    "150581-huolinguole.html": "<p>huolinguole</p>",
}
OTHER = {"index.html": "<p>other index</p>", "150502-horqin.html": "<p>horqin</p>"}


def _b(pages: dict[str, str]) -> dict[str, bytes]:
    return {name: text.encode() for name, text in pages.items()}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def _leftovers(out_dir: Path) -> list[str]:
    """Hidden staging/old folders next to ``out_dir`` (the lock file is expected)."""
    return sorted(
        p.name
        for p in out_dir.parent.iterdir()
        if p.name.startswith(f".{out_dir.name}.") and p.name != f".{out_dir.name}.lock"
    )


def _age(folder: Path) -> None:
    """Backdate every file, so a rewrite would show in mtime_ns even on a coarse clock."""
    for p in folder.iterdir():
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))


# ------------------------------------------------------------------ in-process


@pytest.mark.parametrize(
    ("before", "extra", "pages", "expect"),
    [
        pytest.param(None, {}, NEW, PublishResult(written=tuple(sorted(NEW))), id="into-new-folder"),
        pytest.param(
            OLD,
            {"README.txt": "mine"},
            NEW,
            PublishResult(
                written=tuple(sorted(NEW)),
                kept=("README.txt",),
                removed=("150523-old.html", "150524-old.html", "150525-old.html"),
            ),
            id="over-existing-folder",
        ),
        pytest.param(
            OLD,
            {"notes.md": "keep", "Upper.HTML": "stale"},
            {},
            PublishResult(kept=("notes.md",), removed=tuple(sorted(OLD | {"Upper.HTML": ""}))),
            id="empty-build-removes-all-html",
        ),
    ],
)
def test_full_publish(
    tmp_path: Path, before: dict[str, str] | None, extra: dict[str, str], pages: dict, expect: PublishResult
) -> None:
    out = tmp_path / "maps"
    if before is not None:
        out.mkdir()
        for name, text in (before | extra).items():
            (out / name).write_text(text)
    result = publish(out, _b(pages), replace_all=True)
    assert result == expect
    kept = {name: text for name, text in extra.items() if not name.lower().endswith(".html")}
    assert _snapshot(out) == _b(pages | kept)
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


@pytest.mark.parametrize("name", ["", ".", "..", "sub/index.html", "../index.html", "a\\b.html", "a\0.html"])
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


@pytest.mark.parametrize(
    ("make_out", "match"),
    [
        (
            _in_a_file,
            r"'.*afile' is a file, not a folder; choose another --out folder or fix its permissions",
        ),
        (_deep_in_a_file, r"'.*afile' is a file, not a folder; choose another --out folder"),
        (_is_a_file, r"'.*afile' is a file, not a folder.*; choose another --out folder"),
    ],
)
def test_unwritable_out_dir_is_a_user_error(tmp_path: Path, make_out, match: str) -> None:
    out = make_out(tmp_path)
    with pytest.raises(AtlasError, match=match) as info:
        publish(out, {"index.html": b"x"}, replace_all=True)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].where == str(out)
    assert sorted(p.name for p in tmp_path.iterdir()) in (["afile"], [".afile.lock", "afile"])


def _deny(*args: object, **kwargs: object) -> None:
    raise PermissionError(errno.EACCES, "Permission denied", "somewhere")


def _readonly_fs(*args: object, **kwargs: object) -> bool:
    raise OSError(errno.EROFS, "Read-only file system", "somewhere")


@pytest.mark.parametrize(
    ("target", "fake", "match"),
    [
        ("_write_file", _deny, "Permission denied"),
        ("_link_entry", _deny, "Permission denied"),
        ("_renameat2_exchange", _readonly_fs, "Read-only file system"),
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
    monkeypatch.setattr(gp, "_renameat2_exchange", lambda a, b: False)
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    publish(out, _b(NEW), replace_all=True)
    assert _snapshot(out) == _b(NEW)
    assert _leftovers(out) == []


def test_killed_between_fallback_renames_restores_old_folder(tmp_path: Path) -> None:
    # The state a kill leaves between "old away" and "new in": no maps/, an old copy beside it.
    old = tmp_path / ".maps.old-4242"
    old.mkdir()
    for name, text in OLD.items():
        (old / name).write_text(text)
    (tmp_path / ".maps.staging-4242").mkdir()
    out = tmp_path / "maps"
    result = publish(out, {"index.html": b"fresh"}, replace_all=False)
    assert set(result.kept) == set(OLD) - {"index.html"}
    assert _snapshot(out) == _b(OLD) | {"index.html": b"fresh"}
    assert _leftovers(out) == []


@pytest.mark.parametrize("spec", ["nowhere:1", "staged:soon"])
def test_bad_pause_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str) -> None:
    monkeypatch.setenv(gp.PAUSE_ENV, spec)
    with pytest.raises(ValueError, match=gp.PAUSE_ENV):
        publish(tmp_path / "maps", {}, replace_all=True)


# ----------------------------------------------------------------- subprocesses


def _spawn(out: Path, pages: dict[str, str], pause: str | None = None, *extra: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop(gp.PAUSE_ENV, None)
    if pause:
        env[gp.PAUSE_ENV] = pause
    return subprocess.Popen(
        [sys.executable, str(HELPER), str(out), json.dumps(pages), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_paused(proc: subprocess.Popen, timeout: float) -> bool:
    """True once ``proc`` says it paused; False if ``timeout`` passes first."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not sel.select(left):
                break
            line = proc.stderr.readline()
            if "paused at" in line:
                return True
            if not line:
                raise AssertionError(f"helper exited early: {proc.wait()} {proc.stdout.read()}")
    return False


def _finish(proc: subprocess.Popen) -> None:
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


@pytest.mark.parametrize("stage", ["staging", "staged", "swapped"])
@pytest.mark.parametrize("swap", ["exchange", "fallback"])
def test_kill_leaves_wholly_old_or_wholly_new(tmp_path: Path, stage: str, swap: str) -> None:
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    (out / "README.txt").write_text("mine")
    extra = ["--no-exchange"] if swap == "fallback" else []
    proc = _spawn(out, NEW, f"{stage}:30", *extra)
    try:
        assert _wait_paused(proc, 20)
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


@pytest.mark.parametrize("order", ["second-waits", "simultaneous"])
def test_concurrent_builds_do_not_mix(tmp_path: Path, order: str) -> None:
    out = tmp_path / "maps"
    publish(out, _b(OLD), replace_all=True)
    first = _spawn(out, NEW, "staged:0.6")
    if order == "second-waits":
        assert _wait_paused(first, 20)
        second = _spawn(out, OTHER, "staging:0")
        # The first holds the lock inside its pause: the second must not even start staging.
        assert not _wait_paused(second, 0.3)
    else:
        second = _spawn(out, OTHER, "staging:0.2")
    _finish(first)
    _finish(second)
    final = _snapshot(out)
    if order == "second-waits":
        assert final == _b(OTHER)
    else:
        assert final in (_b(NEW), _b(OTHER))
    assert _leftovers(out) == []


def test_caller_held_lock_blocks_other_builds(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    with lock(out):
        publish(out, _b(OLD), replace_all=True)
        other = _spawn(out, OTHER)
        time.sleep(0.3)
        assert other.poll() is None  # blocked on our lock
        assert _snapshot(out) == _b(OLD)
    _finish(other)
    assert _snapshot(out) == _b(OTHER)


def test_threads_of_one_process_are_serialised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(gp.PAUSE_ENV, "staged:0.1")
    out = tmp_path / "maps"
    errors: list[BaseException] = []

    def build(pages: dict[str, str]) -> None:
        try:
            publish(out, _b(pages), replace_all=True)
        except BaseException as exc:  # collected, asserted empty below
            errors.append(exc)

    threads = [threading.Thread(target=build, args=(p,)) for p in (NEW, OTHER)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert _snapshot(out) in (_b(NEW), _b(OTHER))
    assert _leftovers(out) == []
