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
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lso_etl.errors import UserError

log = logging.getLogger(__name__)

MANIFEST = "lso-export.json"
WRITER = "lso-etl export"


@dataclass(frozen=True)
class Target:
    path: Path  # absolute
    owned: frozenset[str]  # files (relative, posix) the last export wrote and nobody changed
    foreign: tuple[str, ...]  # every other file or folder inside, relative


def inspect(path: Path, force: bool) -> Target:
    """What is at `path` now; a one-line `UserError` when the export must not write there."""
    path = path.expanduser().absolute()
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
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        listed = manifest["files"] if manifest.get("written_by") == WRITER else {}
        owned = {
            name for name, (size, mtime) in listed.items()
            if _is_inside(name) and _stamp(path / name) == (size, mtime)
        }  # fmt: skip
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return frozenset()  # no manifest, or not one of ours: nothing here is ours
    return frozenset(owned | {MANIFEST})


def _is_inside(name: object) -> bool:
    parts = PurePosixPath(str(name)).parts
    return isinstance(name, str) and bool(parts) and parts[0] != "/" and ".." not in parts


def _stamp(file: Path) -> tuple[int, int] | None:
    try:
        found = file.lstat()
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns) if file.is_file() and not file.is_symlink() else None


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
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.lso-export-", dir=path.parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
    handle, partial = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, file)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _swap(staging: Path, target: Target) -> None:
    """Rename the old export aside, the new one into place, then remove the old one's files."""
    retired = Path(tempfile.mkdtemp(prefix=f".{target.path.name}.lso-retired-", dir=staging.parent))
    os.replace(target.path, retired)  # onto the new empty folder: allowed for directories
    os.replace(staging, target.path)
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
    clashes = [name for name in [*listing, MANIFEST] if _clashes(target, name)]
    if clashes:
        raise UserError(
            f"{target.path / clashes[0]} is not lso-etl's (or changed since it was exported) "
            "and export would overwrite it: move it away, or choose another --to"
        )
    old = {name: _stamp(target.path / name) for name in target.owned - {MANIFEST}}
    _write_manifest(target.path / MANIFEST, old | listing)
    for name in listing:
        (target.path / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target.path / name)
    _remove_owned(target.path, target.owned - {*listing, MANIFEST})
    _write_manifest(target.path / MANIFEST, listing)


def _clashes(target: Target, name: str) -> bool:
    """True when writing `name` would replace something the export does not own."""
    if name in target.owned:
        return False
    place = target.path / name
    if place.exists() or place.is_symlink():
        return True
    return any(p.exists() and not p.is_dir() for p in place.parents if p != target.path)


def _remove_owned(folder: Path, owned: frozenset[str]) -> None:
    """Delete the listed files, then the folders that held them once empty; nothing else."""
    for name in owned:
        (folder / name).unlink(missing_ok=True)
    for name in sorted(owned, key=lambda n: -n.count("/")):
        for parent in PurePosixPath(name).parents:
            if str(parent) == ".":
                break
            try:
                (folder / parent).rmdir()  # fails, harmlessly, while anything is left in it
            except OSError:
                break
