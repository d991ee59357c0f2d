"""The starter notebook (notebooks/starter.ipynb) runs, cell by cell, on an export of the demo
warehouse, and draws its three charts."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from demo_warehouse import demo_db
from nbclient import NotebookClient

from lso_etl.store.analyst.export import SNAPSHOT, export

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "starter.ipynb"


def test_the_starter_notebook_runs_on_the_demo_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export(demo_db(), tmp_path / "export")
    snapshot = tmp_path / "export" / SNAPSHOT
    monkeypatch.setenv("LSO_SNAPSHOT", str(snapshot))  # the kernel inherits it
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    charts = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(charts) == 3
