"""bench/parse.py: its scoring is right, it rewrites only its own section, and it runs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "parse.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_parse", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module


def test_body_f1_on_word_4_grams(bench: ModuleType) -> None:
    text = "Sáng nay, tỉnh tổ chức hội nghị tổng kết công tác năm 2024."
    assert bench.f1(text, text) == 1.0
    assert bench.f1(text.upper(), text) == 1.0  # case and punctuation do not count
    assert bench.f1("một hai ba bốn", "năm sáu bảy tám") == 0.0
    # 4-grams abcd bcde cdef defg efgh against abcd bcde cdex dexy exyz: 2 of 5 on each side
    assert bench.f1("a b c d e f g h", "a b c d e x y z") == pytest.approx(0.4)


def test_only_the_parse_section_is_rewritten(bench: ModuleType, tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Benchmark results\n\n## Fetch\nfetch figures\n\n## Parse\nold figures\n\n"
        "## Warehouse\nwarehouse figures\n",
        encoding="utf-8",
    )
    bench.write_section(results, "## Parse\n\nnew figures\n")
    text = results.read_text(encoding="utf-8")
    assert "old figures" not in text
    assert text.index("## Fetch\nfetch figures") < text.index("## Parse\n\nnew figures")
    assert text.index("new figures") < text.index("## Warehouse\nwarehouse figures")
    bench.write_section(tmp_path / "new.md", "## Parse\n\nfirst\n")
    assert (tmp_path / "new.md").read_text(encoding="utf-8").endswith("## Parse\n\nfirst\n")


def test_the_benchmark_runs_and_scores_us_perfectly_on_replay_pages(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    line = ["--pages", "4", "--warmup", "1", "--repeat", "1", "--write", str(out)]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *line], capture_output=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\n## Parse\n")
    replay = text[text.index("against the replay corpus truth") :]
    assert "| ours | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 |" in replay
    assert "| trafilatura |" in replay
