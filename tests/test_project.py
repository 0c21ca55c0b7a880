"""The project's promises about itself: README commands, CI, maps/ up to date, the CLI."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo.pipeline import build_atlas

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_has_two_commands():
    install, test = readme_commands()
    assert "pip install -e ." in install and "tongliao-maps build" in install
    assert "pytest" in test and "tests/setup.sh" in test


def test_ci_runs_the_readme_commands_verbatim():
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
    for command in readme_commands():
        assert command in ci, f".ci/run does not run the README command {command!r}"


def test_maps_in_the_repository_are_what_a_build_produces(tmp_path):
    out = tmp_path / "maps"
    build_atlas(ROOT / "data", ROOT / "boundaries", out)
    built = {p.name: p.read_bytes() for p in out.glob("*.html")}
    committed = subprocess.run(
        ["git", "ls-files", "maps/*.html"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert sorted(Path(p).name for p in committed) == sorted(built), "maps/ lists other pages than a build"
    for path in committed:
        blob = subprocess.run(
            ["git", "show", f"HEAD:{path}"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        assert blob == built[Path(path).name], f"{path} is stale: run tongliao-maps build and commit maps/"


def test_one_district_build_leaves_other_files_untouched(tmp_path):
    out = tmp_path / "maps"
    build_atlas(ROOT / "tests/fixtures/data-small", ROOT / "boundaries", out)
    before = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino, p.read_bytes()) for p in out.iterdir()}
    build_atlas(ROOT / "tests/fixtures/data-small", ROOT / "boundaries", out, district="奈曼旗")
    after = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino, p.read_bytes()) for p in out.iterdir()}
    assert before.keys() == after.keys()
    for name in before:
        if name not in {"150525-naiman.html", "index.html"}:
            assert after[name] == before[name], name


def test_one_district_build_changes_only_that_map(small_data, tmp_path):
    out = tmp_path / "maps"
    build_atlas(small_data, ROOT / "boundaries", out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    facts = small_data / "facts.csv"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("37.53", "37.54").replace("为37.54", "为37.54"),
        encoding="utf-8",
    )
    build_atlas(small_data, ROOT / "boundaries", out, district="naiman")
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"150525-naiman.html", "index.html"}
    assert b"37.54" in after["150525-naiman.html"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["list"], r"150525\s+奈曼旗\s+奈曼\s+naiman"),
        (["validate"], r"^ok: "),
        (["report"], r"150571 通辽经济技术开发区: \d+ facts"),
        (["--help"], r"usage: tongliao-maps"),
    ],
)
def test_python_m_geo_works_like_the_command(args, expected):
    result = subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert re.search(expected, result.stdout, re.M)


def test_list_shows_all_nine_districts():
    result = subprocess.run([sys.executable, "-m", "geo", "list"], cwd=ROOT, capture_output=True, text=True)
    codes = re.findall(r"^(1505\d\d)\s", result.stdout, re.M)
    assert codes == [
        "150500",
        "150502",
        "150521",
        "150522",
        "150523",
        "150524",
        "150525",
        "150526",
        "150571",
        "150581",
    ]


def test_importing_geo_is_light():
    heavy = "('geopandas', 'folium', 'mapclassify', 'pandas')"
    code = f"import sys, geo; print(any(m in sys.modules for m in {heavy}))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
