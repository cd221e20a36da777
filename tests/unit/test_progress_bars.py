"""The run's progress bars: done of total per unit, the item last done, a total that grows as the
run learns of more work; and which finished nodes count as dbt's."""

from __future__ import annotations

import io
import re

from rich.console import Console

from leads_pipeline.observe.progress_bars import ProgressBars
from leads_pipeline.run.pipeline import DBT_NODES, Progress
from leads_pipeline.stages.transform.dbt import NodeResult
from leads_pipeline.stages.transform.phases import PYTHON_NODE, RESOLVE_NODE


def terminal() -> tuple[Console, io.StringIO]:
    screen = io.StringIO()
    return Console(file=screen, force_terminal=True, width=160, color_system=None), screen


CURSOR_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def last_frame(screen: io.StringIO) -> list[str]:
    """The bars as the terminal shows them last (each redraw starts after a carriage return)."""
    return CURSOR_CONTROL.sub("", screen.getvalue().rsplit("\r", 1)[-1]).splitlines()


def test_each_unit_has_a_bar_with_done_of_total_and_the_last_item():
    console, screen = terminal()
    with ProgressBars(console) as bars:
        bars.expect("files", 2)
        bars.advance("files", "source_1/a.csv")
        bars.expect("files", 2)  # a second source's listing
        bars.advance("files", "source_2/b.csv")
        bars.advance("files", "source_2/c.csv")
        bars.expect("lookup tables", 4)
        bars.advance("lookup tables", "phones")
    frame = last_frame(screen)
    files = next(line for line in frame if line.startswith("files"))
    lookups = next(line for line in frame if line.startswith("lookup tables"))
    assert "3/4" in files and files.rstrip().endswith("source_2/c.csv")
    assert "1/4" in lookups and lookups.rstrip().endswith("phones")


def test_an_item_nobody_announced_still_counts():
    console, screen = terminal()
    with ProgressBars(console) as bars:
        bars.expect("files", 1)
        bars.advance("files", "a.csv")
        bars.advance("files", "b.csv")
        bars.advance("dbt models and tests", "stg_source_1")
    frame = last_frame(screen)
    assert "2/2" in next(line for line in frame if line.startswith("files"))
    assert "1/1" in next(line for line in frame if line.startswith("dbt models and tests"))


def test_lines_printed_while_the_bars_show_appear_above_them():
    console, screen = terminal()
    with ProgressBars(console) as bars:
        bars.expect("files", 1)
        console.print("  loaded    source_1/a.csv: 10 rows")
        bars.advance("files", "source_1/a.csv")
    text = screen.getvalue()
    assert "loaded    source_1/a.csv: 10 rows" in text
    assert text.rindex("loaded    source_1") < text.rindex("1/1")


def test_dbt_nodes_count_and_the_resolve_step_does_not():
    counted: list[tuple[str, str]] = []
    shown: list[str] = []
    progress = Progress(
        node=lambda node: shown.append(node.name), advance=lambda unit, item: counted.append((unit, item))
    )
    progress.dbt_node(NodeResult("stg_source_1", "model", "success"))
    progress.dbt_node(NodeResult(RESOLVE_NODE, PYTHON_NODE, "success"))
    progress.dbt_node(NodeResult("unique_leads_lead_id", "test", "fail"))
    assert shown == ["stg_source_1", RESOLVE_NODE, "unique_leads_lead_id"]
    assert counted == [(DBT_NODES, "stg_source_1"), (DBT_NODES, "unique_leads_lead_id")]
