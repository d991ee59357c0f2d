"""Folders made for what the store writes (the warehouse, an export, the report), as `mkdir -p`.

A file where one of the folders should be made mkdir report as "File exists" (the folder
itself is a file) or "Not a directory" (a parent is), naming neither the file nor the cause.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


def make_folders(folder: Path) -> None:
    """`folder` and its missing parents. A file or a broken link in the way fails as a
    `NotADirectoryError` whose `strerror` names it: `.../notes.txt is a file, not a folder`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        said = what_is_in_the_way(folder)
        if said is None:
            raise
        raise NotADirectoryError(errno.ENOTDIR, said, str(folder)) from exc


def what_is_in_the_way(folder: Path) -> str | None:
    """The first of `folder`'s parents, or `folder` itself, that is there but is no folder,
    said as what it is; None when nothing is in the way (the folder can be made)."""
    for place in (*reversed(folder.parents), folder):
        if place.is_dir():
            continue
        if place.is_symlink():  # is_dir and exists follow links: a dangling one or a loop
            return f"{place} is a link that leads to no folder ({os.readlink(place)})"
        return f"{place} is a file, not a folder" if place.exists() else None
    return None
