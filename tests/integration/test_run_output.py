"""What `leads ingest` prints as it goes: a line per file and node when stderr is not a terminal,
progress bars with their counts on a terminal, nothing but errors with --quiet."""

from __future__ import annotations

import io
import os
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from leads_pipeline import cli
from leads_pipeline.stages.lookups.refresh import LOOKUPS
from tests.conftest import DEMO_BUCKET, PROJECT_ROOT

BAR = "━"
CURSOR_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BUCKET_FILES = sorted(
    p.relative_to(DEMO_BUCKET).as_posix() for p in DEMO_BUCKET.rglob("*.csv") if "_truth" not in p.parts
)
SEEDS = len(list((PROJECT_ROOT / "leads" / "seeds").glob("*.csv")))


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("LEADS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LEADS_DATABASE", str(tmp_path / "leads.duckdb"))
    monkeypatch.setenv("LEADS_BUCKET_URL", str(DEMO_BUCKET))


def leads(*args: str):
    return CliRunner().invoke(cli.app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})


def test_not_on_a_terminal_each_file_and_node_is_a_line():
    result = leads("ingest")
    assert result.exit_code == 0, result.output
    for relative_path in BUCKET_FILES:
        assert re.search(rf"^  loaded +{re.escape(relative_path)}: [\d,]+ rows", result.stderr, re.MULTILINE)
    assert len(re.findall(r"^  model ok ", result.stderr, re.MULTILINE)) == SEEDS  # the reference tables
    assert BAR not in result.stderr and "\x1b[" not in result.stderr


def test_on_a_terminal_bars_count_files_lookups_and_dbt_nodes(monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=200, color_system=None))
    result = leads("ingest")
    assert result.exit_code == 0, result.output
    frames = CURSOR_CONTROL.sub("", screen.getvalue())
    last = frames.rsplit("\r", 1)[-1].splitlines()

    def bar(unit: str) -> str:
        return next(line for line in last if line.startswith(unit))

    files, lookups, seeds = len(BUCKET_FILES), len(LOOKUPS), SEEDS
    assert f" {files}/{files} " in bar("files") and BAR in bar("files")
    assert f" {lookups}/{lookups} " in bar("lookup tables")
    assert f" {seeds}/{seeds} " in bar("dbt models and tests")
    # the files' lines still print, above the bars; the nodes' lines give way to the bar
    assert all(f"loaded    {path}:" in frames for path in BUCKET_FILES)
    assert "model ok" not in frames


def test_quiet_prints_nothing_when_all_goes_well():
    result = leads("ingest", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""


def test_quiet_still_prints_the_error(tmp_path):
    result = leads("ingest", "--quiet", "--bucket-url", str(tmp_path / "no-such-bucket"))
    assert result.exit_code == 3
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: bucket ") and "does not exist" in lines[0]
    assert result.stdout == ""
