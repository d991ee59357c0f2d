"""`lso-etl export` never deletes what it did not write, and never leaves half an export behind.

Real warehouses (a few replay articles crawled over loopback HTTP), real directories: every
test lists each file under its folder with its sha256 before and after.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from demo_warehouse import load_replay
from typer.testing import CliRunner

from lso_etl.cli.main import app
from lso_etl.errors import UserError
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.store.analyst import export as export_module
from lso_etl.store.analyst import export_target
from lso_etl.store.analyst.export import SNAPSHOT, export
from lso_etl.store.analyst.export_target import MANIFEST


@pytest.fixture(scope="module")
def warehouses(corpus: Corpus) -> Iterator[dict[str, Path]]:
    """`wide`: two articles in each of three months; `narrow`: two in June only."""
    folder = Path(tempfile.mkdtemp(prefix="lso-export-"))
    by_month: dict[int, list[str]] = {}
    for article in corpus.articles:
        by_month.setdefault(article.published_at.month, []).append(article.path)
    chosen = {
        "wide": by_month[6][:2] + by_month[7][:2] + by_month[8][:2],
        "narrow": by_month[6][:2],
    }
    with ReplaySite(corpus) as site:
        for name, paths in chosen.items():
            load_replay(folder / f"{name}.duckdb", site, corpus, paths)
    yield {name: folder / f"{name}.duckdb" for name in chosen}
    shutil.rmtree(folder, ignore_errors=True)


def _tree(folder: Path) -> dict[str, str]:
    """Every path under `folder`: a file's sha256, or "dir"."""
    return {
        str(p.relative_to(folder)): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
    }  # fmt: skip


def _months(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "parquet" / "articles" / "year=2017").iterdir())


def _user_files(out: Path) -> dict[str, bytes]:
    files = {"parquet/notes/analysis.txt": b"my notes\n", "my.csv": b"a,b\n1,2\n"}
    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    return files


def test_a_new_export_replaces_the_last_one_whole(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = export(warehouses["wide"], out)
    assert _months(out) == ["month=6", "month=7", "month=8"] and first["rows"]["articles"] == 6  # type: ignore[index]
    listed = json.loads((out / MANIFEST).read_text())["files"]
    assert set(listed) == {k for k, v in _tree(out).items() if v != "dir"} - {MANIFEST}
    second = export(warehouses["narrow"], out)
    assert _months(out) == ["month=6"]  # the last export's other months are gone
    with duckdb.connect(str(out / SNAPSHOT), read_only=True) as snap:
        assert snap.execute("select count(*) from articles").fetchone() == (2,)
    assert second["kept"] == [] and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_directory_holding_other_files_is_refused_and_left_byte_for_byte(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export(warehouses["wide"], out)
    _user_files(out)
    before = _tree(tmp_path)
    result = CliRunner().invoke(
        app, ["--db", str(warehouses["narrow"]), "export", "--to", str(out)]
    )
    assert isinstance(result.exception, UserError), result.output
    message = str(result.exception)
    assert "\n" not in message and "--force" in message and "my.csv" in message
    assert _tree(tmp_path) == before


def test_force_writes_beside_other_files_and_keeps_them(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export(warehouses["wide"], out)
    files = _user_files(out)
    result = export(warehouses["narrow"], out, force=True)
    assert sorted(result["kept"]) == ["my.csv", "parquet/notes/"]  # type: ignore[arg-type]
    assert {name: (out / name).read_bytes() for name in files} == files
    assert _months(out) == ["month=6"]  # the last export's own files were replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left beside
    again = export(warehouses["wide"], out, force=True)  # and the manifest still tells them apart
    assert {name: (out / name).read_bytes() for name in files} == files
    assert again["rows"]["articles"] == 6 and _months(out) == ["month=6", "month=7", "month=8"]  # type: ignore[index]


def test_force_never_overwrites_a_file_that_is_not_the_exports(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    mine = tmp_path / "out" / SNAPSHOT
    mine.parent.mkdir()
    mine.write_bytes(b"my own database, not an export")
    before = _tree(tmp_path)
    with pytest.raises(UserError, match="not lso-etl's"):
        export(warehouses["wide"], tmp_path / "out", force=True)
    assert _tree(tmp_path) == before


def test_a_snapshot_changed_by_its_reader_is_theirs(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export(warehouses["wide"], out)
    with duckdb.connect(str(out / SNAPSHOT)) as snap:
        snap.execute("create table my_findings as select 42 as answer")
    before = _tree(tmp_path)
    with pytest.raises(UserError, match=SNAPSHOT):
        export(warehouses["wide"], out)
    assert _tree(tmp_path) == before


def test_export_to_a_file_is_one_line(warehouses: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    said = {
        target: f"--to {target} is a file: export writes a directory",
        target / "sub": f"export to {target / 'sub'} failed: {target} is a file, not a folder",
        target / "a" / "sub": f"export to {target / 'a' / 'sub'} failed: {target} is a file,",
    }  # the file itself, a folder under it (mkdir said "File exists"), one deeper ("Not a ...")
    for to, words in said.items():
        result = CliRunner().invoke(
            app, ["--db", str(warehouses["wide"]), "export", "--to", str(to)]
        )
        assert isinstance(result.exception, UserError) and "\n" not in str(result.exception)
        assert str(result.exception).startswith(words), result.exception
    assert _tree(tmp_path) == {"notes.txt": hashlib.sha256(b"mine\n").hexdigest()}


def test_any_path_works_quotes_and_spaces_included(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / 'it\'s a "quoted" dir' / "ex port's"
    for _ in range(2):  # the second one replaces the first
        result = CliRunner().invoke(
            app, ["--db", str(warehouses["wide"]), "export", "--to", str(out), "--json"]
        )
        assert result.exit_code == 0, (result.output, result.exception)
    assert json.loads(result.output)["rows"]["articles"] == 6
    with duckdb.connect(str(out / SNAPSHOT), read_only=True) as snap:
        parquet = snap.execute(
            "select count(*) from read_parquet($p)", {"p": f"{out}/parquet/articles/*/*/*.parquet"}
        ).fetchone()
    assert parquet == (6,)
    assert sorted(p.name for p in out.parent.iterdir()) == ["ex port's"]


@pytest.mark.parametrize("earlier", [False, True], ids=["first export", "over an export"])
def test_a_failure_midway_leaves_no_litter_and_the_last_export_intact(
    warehouses: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, earlier: bool
) -> None:
    out = tmp_path / "out"
    if earlier:
        export(warehouses["wide"], out)
    before = _tree(tmp_path)
    write_parquet = export_module._parquet

    staged: list[Path] = []

    def parquet_then_disk_full(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
        write_parquet(con, folder)  # the Parquet tree is written, then the disk fills
        staged.extend(folder.rglob("*.parquet"))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "_parquet", parquet_then_disk_full)
    with pytest.raises(UserError, match="No space left on device"):
        export(warehouses["narrow"], out)
    assert staged and not any(p.exists() for p in staged)
    assert _tree(tmp_path) == before


def _export_cli(db: Path, out: Path, *more: str) -> UserError | None:
    result = CliRunner().invoke(app, ["--db", str(db), "export", "--to", str(out), *more])
    assert result.exception is None or isinstance(result.exception, UserError), result.output
    return result.exception


@pytest.mark.parametrize("forged", ["//", "link/"], ids=["absolute //", "through a link"])
def test_a_forged_manifest_deletes_nothing_anywhere(
    warehouses: dict[str, Path], tmp_path: Path, forged: str
) -> None:
    """Each victim listed with its true size and time, as a hand-edited manifest can."""
    out, victims = tmp_path / "out", tmp_path / "victims"
    export(warehouses["wide"], out)
    (victims / "home").mkdir(parents=True)
    (victims / "precious1.txt").write_text("precious 1\n")
    (victims / "home" / "precious2.txt").write_text("precious 2\n")
    (out / "notes.txt").write_text("my notes\n")
    if forged == "link/":
        (out / "link").symlink_to(victims / "home")
    victim = {"//": f"/{victims}/precious1.txt", "link/": "link/precious2.txt"}[forged]
    manifest = json.loads((out / MANIFEST).read_text())
    for name in (victim, "notes.txt"):
        found = (out / name if not name.startswith("/") else Path(name)).stat()
        manifest["files"][name] = [found.st_size, found.st_mtime_ns]
    (out / MANIFEST).write_text(json.dumps(manifest))
    before, beside = _tree(tmp_path), sorted(tmp_path.parent.iterdir())
    for more in ([], ["--force"]):
        refused = _export_cli(warehouses["narrow"], out, *more)
        assert _tree(tmp_path) == before and sorted(tmp_path.parent.iterdir()) == beside
        assert refused is not None and "\n" not in str(refused)
        assert "does not own" in str(refused) and victim in str(refused)
    assert (victims / "home" / "precious2.txt").read_text() == "precious 2\n"


def test_removing_the_old_export_never_unlinks_outside_it(tmp_path: Path) -> None:
    """The last guard, for a link made after the manifest was checked."""
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "precious.txt").write_text("precious\n")
    (tmp_path / "old" / "parquet").mkdir(parents=True)
    (tmp_path / "old" / "parquet" / "link").symlink_to(tmp_path / "home")
    export_target._remove_owned(tmp_path / "old", frozenset({"parquet/link/precious.txt"}))
    assert (tmp_path / "home" / "precious.txt").read_text() == "precious\n"


def test_a_link_to_a_folder_is_followed_and_stays_a_link(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "L").symlink_to(tmp_path / "real")
    for db in (warehouses["wide"], warehouses["narrow"]):  # a first export, then a swap
        assert _export_cli(db, tmp_path / "L") is None
    assert (tmp_path / "L").readlink() == tmp_path / "real" and _months(tmp_path / "real") == [
        "month=6"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["L", "real"]  # no litter beside


def test_a_dangling_link_is_one_line_and_left_alone(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "L").symlink_to(tmp_path / "nowhere")
    refused = _export_cli(warehouses["wide"], tmp_path / "L")
    assert refused is not None and "does not exist" in str(refused) and "\n" not in str(refused)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["L"]


def test_force_never_writes_through_a_link_inside_dir(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "mine.txt").write_text("mine\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "parquet").symlink_to(tmp_path / "mine")
    before = _tree(tmp_path)
    refused = _export_cli(warehouses["wide"], tmp_path / "out", "--force")
    assert refused is not None and "symbolic link" in str(refused)
    assert _tree(tmp_path) == before


def test_the_export_gets_the_modes_a_plain_mkdir_would(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    def mode(p: Path) -> int:
        return stat.S_IMODE(p.stat().st_mode)

    old = os.umask(0o022)
    try:
        export(warehouses["wide"], tmp_path / "out")
        assert (mode(tmp_path / "out"), mode(tmp_path / "out" / MANIFEST)) == (0o755, 0o644)
        os.chmod(tmp_path / "out", 0o750)  # a mode its owner chose survives the swap
        export(warehouses["narrow"], tmp_path / "out")
        assert mode(tmp_path / "out") == 0o750
    finally:
        os.umask(old)


def test_a_legal_name_of_250_bytes_is_exported_to(
    warehouses: dict[str, Path], tmp_path: Path
) -> None:
    """The hidden siblings' names are built from DIR's: they must stay under 255 bytes."""
    out = tmp_path / ("é" * 125)  # 250 bytes in UTF-8
    for _ in range(2):  # the first export, then one swapped over it
        assert _export_cli(warehouses["narrow"], out) is None
    assert (out / SNAPSHOT).is_file() and [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize("meanwhile", ["an export", "a person's files"])
def test_what_fills_dir_while_the_export_writes_is_looked_at_again(
    warehouses: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meanwhile: str
) -> None:
    """Two exports to one new DIR at once (or a person filling it): the later must not swap by
    what it saw at the start, moving the earlier's files aside into a hidden folder."""
    out = tmp_path / "out"
    write_snapshot = export_module._snapshot

    def others_first(con: duckdb.DuckDBPyConnection, file: Path) -> None:
        monkeypatch.setattr(export_module, "_snapshot", write_snapshot)  # once, not in the other
        write_snapshot(con, file)
        if meanwhile == "an export":
            export(warehouses["wide"], out)  # as a second process would, finishing first
        else:
            _user_files(out)

    monkeypatch.setattr(export_module, "_snapshot", others_first)
    if meanwhile == "an export":
        export(warehouses["narrow"], out)
        assert _months(out) == ["month=6"]  # the later export, whole
    else:
        with pytest.raises(UserError, match="did not write"):
            export(warehouses["narrow"], out)
        assert (out / "parquet" / "notes" / "analysis.txt").read_bytes() == b"my notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # nothing moved aside, no litter
