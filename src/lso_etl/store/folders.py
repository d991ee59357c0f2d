"""Folders made for what the store writes (the warehouse, an export, the report), as `mkdir -p`.

A file where one of the folders should be made mkdir report as "File exists" (the folder
itself is a file) or "Not a directory" (a parent is), naming neither the file nor the cause.
"""

from __future__ import annotations

import errno
from pathlib import Path


def make_folders(folder: Path) -> None:
    """`folder` and its missing parents. A file in the way fails as a `NotADirectoryError`
    whose `strerror` names it: `.../notes.txt is a file, not a folder`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = file_in_the_way(folder)
        if blocker is None:
            raise
        said = f"{blocker} is a file, not a folder"
        raise NotADirectoryError(errno.ENOTDIR, said, str(blocker)) from exc


def file_in_the_way(folder: Path) -> Path | None:
    """The first of `folder`'s parents, or `folder` itself, that exists and is not a folder."""
    for place in (*reversed(folder.parents), folder):
        if not place.is_dir():
            return place if place.exists() else None
    return None
