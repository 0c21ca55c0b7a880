"""Fingerprints of the shared source texts, so the evidence check runs without them.

The shared sources (``../shared/sources``) sit beside the repository, not in it:
their sentences must not be copied into the project. What the repository
ships instead is, per source file, the sets of 4-byte hashes of every 2-, 3- and
6-character window of the text (spaces removed, full-width forms folded). A
quoted piece is found in a fingerprint when every 6-character window of it is
(the largest window that fits a shorter piece, such as a town's
name); a made-up quote fails on its first window that the text does not have.

Run ``python tests/helpers/fingerprints.py`` to rewrite
``tests/fixtures/source-fingerprints.json`` after the shared sources change;
``tests/test_data.py`` checks that the file is current whenever the shared
sources are present (always in CI).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "sources"
FILE = ROOT / "tests" / "fixtures" / "source-fingerprints.json"
WINDOWS = (2, 3, 6)  # sizes of the windows kept; a piece is checked with the largest that fits it


def squash(text: str) -> str:
    """`text` without white space, full-width forms folded (NFKC)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def windows(squashed: str, size: int) -> set[int]:
    """Hashes of every `size`-character window of an already squashed text."""
    return {
        int.from_bytes(hashlib.blake2b(squashed[i : i + size].encode(), digest_size=4).digest(), "big")
        for i in range(len(squashed) - size + 1)
    }


def found(piece: str, fingerprint: dict[int, set[int]]) -> bool:
    """Whether the squashed `piece` (2 characters or more) is in the fingerprinted text."""
    sizes = [size for size in WINDOWS if size <= len(piece)]
    return bool(sizes) and windows(piece, sizes[-1]) <= fingerprint[sizes[-1]]


def compute(folder: Path = SHARED) -> dict[str, dict[str, str]]:
    """The fingerprint of every .txt and .md source in `folder`, by file name."""
    out = {}
    for path in sorted([*folder.glob("*.txt"), *folder.glob("*.md")]):
        if path.name == "README.md":
            continue
        text = squash(path.read_text(encoding="utf-8"))
        entry = {"sha256": hashlib.sha256(text.encode()).hexdigest()}
        for size in WINDOWS:
            packed = b"".join(h.to_bytes(4, "big") for h in sorted(windows(text, size)))
            entry[f"windows{size}"] = base64.b64encode(packed).decode("ascii")
        out[path.name] = entry
    return out


def load(file: Path = FILE) -> dict[str, dict[int, set[int]]]:
    """The shipped fingerprints: file name -> window size -> set of window hashes."""
    data = json.loads(file.read_text(encoding="utf-8"))
    out: dict[str, dict[int, set[int]]] = {}
    for name, entry in data.items():
        out[name] = {}
        for size in WINDOWS:
            packed = base64.b64decode(entry[f"windows{size}"])
            out[name][size] = {int.from_bytes(packed[i : i + 4], "big") for i in range(0, len(packed), 4)}
    return out


if __name__ == "__main__":
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} not found: the shared sources must sit beside the repository")
    FILE.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {FILE}")
