"""Where `lso-etl export --to DIR` writes, and how it never deletes what it did not write.

Every export leaves a manifest, `DIR/lso-export.json`, naming each file it wrote with its
size and modification time. A file is the export's own only while it is listed there *and*
unchanged: one a person put beside it (`parquet/notes/analysis.txt`) or changed since (a
snapshot opened read-write and added to) belongs to that person.

An export is written whole into a new hidden sibling folder, then:
- DIR missing, empty or holding only the last export's own files: the old DIR is renamed
  aside, the new one renamed into place, and the old files removed (readers see the old export
  or the new one, never a mix; a snapshot someone has open keeps working until reopened);
- DIR holding anything else: refused, unless `force`. With `force` the new files are renamed
  into DIR one by one, the last export's own files that are not rewritten are removed, and every
  other file stays where it is, untouched. Even `force` never deletes or overwrites a file the
  export does not own (a name clash is refused): deleting a person's file is never what
  "overwrite the export" means, and they can always delete it themselves.
On any failure the sibling folder is removed and DIR is as it was.

The manifest is only a claim: anyone can edit it. A name it lists must be a plain relative
name (no `/` first, no `.`, `..` or empty part) under `parquet/` or the snapshot's, reached
without a symbolic link; a manifest naming anything else makes the export refuse, deleting
nothing, and no file is ever removed unless its real path is inside DIR's. The export never
writes through a symbolic link inside DIR either (`--force` with `DIR/parquet` a link to
someone's folder is refused). DIR itself may be a link to a folder: the export goes into
that folder, and the link stays.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lso_etl.errors import UserError
from lso_etl.store.folders import make_folders

log = logging.getLogger(__name__)

MANIFEST = "lso-export.json"
SNAPSHOT = "lso-snapshot.duckdb"  # a name starting so: the snapshot, or a DuckDB file beside it
WRITER = "lso-etl export"


@dataclass(frozen=True)
class Target:
    path: Path  # absolute
    owned: frozenset[str]  # files (relative, posix) the last export wrote and nobody changed
    foreign: tuple[str, ...]  # every other file or folder inside, relative


def inspect(path: Path, force: bool) -> Target:
    """What is at `path` now; a one-line `UserError` when the export must not write there."""
    path = path.expanduser().absolute()
    try:
        str(path).encode()
    except UnicodeEncodeError:  # DuckDB takes only UTF-8 paths: a pybind11 traceback
        shown = os.fsencode(path).decode(errors="replace")
        raise UserError(f"--to {shown} is not UTF-8: DuckDB writes only to UTF-8 paths") from None
    if path.is_symlink():
        if not path.exists():
            raise UserError(
                f"--to {path} is a symbolic link to {os.readlink(path)}, which does not exist: "
                "create that folder, or choose another --to"
            )
        # Followed on purpose: renaming the new export over the link would replace the link
        # itself (or fail, for a link to a folder), and whoever made it meant its folder.
        path = path.resolve()
    if path.exists() and not path.is_dir():
        raise UserError(f"--to {path} is a file: export writes a directory")
    if not path.exists():
        return Target(path, frozenset(), ())
    owned = _owned(path)
    foreign = tuple(sorted(_foreign(path, owned)))
    if foreign and not force:
        raise UserError(
            f"--to {path} holds {len(foreign)} item(s) lso-etl export did not write or that "
            f"changed since (e.g. {foreign[0]}): choose a new or empty directory, or pass "
            "--force to write beside them (they are kept)"
        )
    return Target(path, owned, foreign)


def _owned(path: Path) -> frozenset[str]:
    """Files the manifest lists that still have the size and time the export gave them."""
    listed = _listed(path)
    if listed is None:
        return frozenset()  # no manifest, or not one of ours: nothing here is ours
    unsafe = next((name for name in listed if not _safe(path, name)), None)
    if unsafe is not None:
        # An edited (or forged) manifest: trusting any of it could delete what is not ours.
        raise UserError(
            f"--to {path} holds files lso-etl export does not own: its {MANIFEST} names "
            f"{unsafe!r}, which the export never writes (outside the folder, or through a "
            f"symbolic link); nothing was deleted: move {MANIFEST} away, or choose another --to"
        )
    owned = {name for name, stamp in listed.items() if _stamp(path / name) == stamp}
    return frozenset(owned | {MANIFEST})


def _listed(path: Path) -> dict[str, tuple[int, int]] | None:
    """The manifest's files and stamps; None when there is no manifest of ours."""
    file = path / MANIFEST
    if file.is_symlink():
        return None  # the export writes a file there, never a link: not ours
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
        if manifest.get("written_by") != WRITER:
            return None
        return {
            str(name): (int(size), int(mtime)) for name, (size, mtime) in manifest["files"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _safe(root: Path, name: str) -> bool:
    """Whether `name` is one the export could have written under `root`, reached without a link.

    Only every parent is checked: `_stamp` already refuses a last part that is a link.
    """
    parts = name.split("/")
    if name.startswith("/") or "\0" in name or any(p in ("", ".", "..") for p in parts):
        return False
    if parts[0] != "parquet" and not name.startswith(SNAPSHOT):
        return False  # e.g. a person's notes.txt listed by hand
    here = root
    for part in parts[:-1]:
        here = here / part
        try:
            mode = here.lstat().st_mode
        except OSError:
            return True  # missing: nothing there to delete, and `_stamp` finds nothing
        if stat.S_ISLNK(mode):
            return False
    return True


def _stamp(file: Path) -> tuple[int, int] | None:
    try:
        found = file.lstat()
    except OSError:
        return None
    # On an lstat result S_ISREG means a regular file and not a link: no second or third call.
    return (found.st_size, found.st_mtime_ns) if stat.S_ISREG(found.st_mode) else None


def _foreign(path: Path, owned: frozenset[str]) -> Iterator[str]:
    """Relative names inside `path` that are not the export's own files or their folders."""
    folders = {str(parent) for name in owned for parent in PurePosixPath(name).parents}
    for root, dirs, files in os.walk(path):
        here = PurePosixPath(Path(root).relative_to(path).as_posix())
        for name in dirs:
            if str(here / name) not in folders:
                yield f"{here / name}/"
        dirs[:] = [d for d in dirs if str(here / d) in folders]  # a foreign folder is one entry
        yield from (str(here / n) for n in files if str(here / n) not in owned)


@contextmanager
def staging_beside(path: Path) -> Iterator[Path]:
    """A new hidden folder next to `path`, removed whatever happens (moved away on success)."""
    make_folders(path.parent)  # a file in the way is named, not "File exists"
    folder = _fresh(path.parent, f".{_short(path)}.lso-export-", Path.mkdir)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _short(path: Path) -> str:
    """DIR's name, cut to leave room in a sibling's name: a legal 250-byte DIR would otherwise
    make `.DIR.lso-export-XXXX` longer than the 255 bytes a name may have (ENAMETOOLONG)."""
    return os.fsdecode(os.fsencode(path.name)[:NAME_ROOM])  # any bytes: names need no UTF-8


NAME_ROOM = 200  # bytes of DIR's name kept in its siblings' names (+ ~30 of their own)


def _fresh(parent: Path, prefix: str, make: Callable[[Path], object]) -> Path:
    """`make` a new name in `parent`, as plain mkdir/open would: with the umask's mode.

    Not `tempfile`: its 0700 folders and 0600 files would become DIR and the manifest, and
    a colleague could no longer read the export.
    """
    while True:
        place = parent / f"{prefix}{secrets.token_hex(6)}"
        try:
            make(place)
            return place
        except FileExistsError:
            continue


def publish(staging: Path, target: Target) -> None:
    """Put the export written in `staging` at `target.path`, keeping every foreign file."""
    listing = _listing(staging)
    _write_manifest(staging / MANIFEST, listing)
    if not target.path.exists():
        os.replace(staging, target.path)
    elif not target.foreign:
        _swap(staging, target)
    else:
        _merge(staging, target, listing)


Listing = dict[str, tuple[int, int] | None]


def _listing(folder: Path) -> Listing:
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return {name: _stamp(folder / name) for name in files}


def _write_manifest(file: Path, listing: Listing) -> None:
    """Written beside, then renamed: a manifest is whole or absent."""
    text = json.dumps({"written_by": WRITER, "files": listing}, indent=1)
    partial = _fresh(file.parent, f".{file.name}.", lambda p: p.open("x").close())
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, file)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _swap(staging: Path, target: Target) -> None:
    """Rename the old export aside, the new one into place, then remove the old one's files."""
    os.chmod(staging, stat.S_IMODE(target.path.stat().st_mode))  # DIR keeps the mode it had
    retired = Path(
        tempfile.mkdtemp(prefix=f".{_short(target.path)}.lso-retired-", dir=staging.parent)
    )
    try:
        os.replace(target.path, retired)  # onto the new empty folder: allowed for directories
    except OSError:
        retired.rmdir()  # nothing moved: leave no empty folder behind
        raise
    try:
        os.replace(staging, target.path)
    except OSError:
        os.replace(retired, target.path)  # the old export back in place, as it was
        raise
    _remove_owned(retired, target.owned)
    try:
        retired.rmdir()
    except OSError:  # someone wrote into the old export while this one ran: keep it
        log.warning("files written during the export were kept in %s", retired)


def _merge(staging: Path, target: Target, listing: Listing) -> None:
    """`--force` beside foreign files: new files renamed in one by one, the manifest last.

    Until the end, the manifest lists the old files and the new ones, so that an export
    interrupted halfway still owns everything it wrote.
    """
    clash = next(filter(None, (_clash(target, name) for name in [*listing, MANIFEST])), None)
    if clash:
        raise UserError(f"{clash}: move it away, or choose another --to")
    old = {name: _stamp(target.path / name) for name in target.owned - {MANIFEST}}
    _write_manifest(target.path / MANIFEST, old | listing)
    for name in listing:
        (target.path / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target.path / name)
    _remove_owned(target.path, target.owned - {*listing, MANIFEST})
    _write_manifest(target.path / MANIFEST, listing)


def _clash(target: Target, name: str) -> str | None:
    """Why writing `name` would replace, or write through, something the export does not own."""
    if name in target.owned:
        return None
    parts = PurePosixPath(name).parts
    for depth in range(1, len(parts) + 1):  # the folders inside DIR on the way, then the file
        place = target.path.joinpath(*parts[:depth])
        last = depth == len(parts)
        if place.is_symlink() and not last:
            return f"{place} is a symbolic link, and export does not write through one"
        if (place.exists() or place.is_symlink()) and (last or not place.is_dir()):
            return (
                f"{place} is not lso-etl's (or changed since it was exported) "
                "and export would overwrite it"
            )
    return None


def _remove_owned(folder: Path, owned: frozenset[str]) -> None:
    """Delete the listed files, then the folders that held them once empty; nothing else."""
    root = os.path.realpath(folder)
    for name in owned:
        if _really_inside(root, folder / name):
            (folder / name).unlink(missing_ok=True)
        else:  # `inspect` refused such names: only a link made since then leads here
            log.warning("not deleting %s: it is outside %s", folder / name, folder)
    for name in sorted(owned, key=lambda n: -n.count("/")):
        for parent in PurePosixPath(name).parents:
            if str(parent) == "." or not _really_inside(root, folder / parent):
                break
            try:
                (folder / parent).rmdir()  # fails, harmlessly, while anything is left in it
            except OSError:
                break


def _really_inside(root: str, place: Path) -> bool:
    """Whether unlinking `place` removes an entry inside the real folder `root`."""
    real = os.path.join(os.path.realpath(place.parent), place.name)
    return os.path.commonpath([root, real]) == root and real != root
