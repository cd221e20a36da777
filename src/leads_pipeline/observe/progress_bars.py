"""A run's progress bars on a terminal (rich.progress): one bar per counted unit of work.

The run reports its units through `Progress.expect` and `Progress.advance` (run/pipeline.py):
files read, lookup tables parsed, dbt models and tests built. Each bar shows the item last done,
done of total, the time taken and the time left. Lines printed on the same console while the
bars show appear above them.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column


class ProgressBars:
    """Bars on `console`, shown from `__enter__` to `__exit__`."""

    def __init__(self, console: Console) -> None:
        self.bars = Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            # the item last done, cut to the line's end: a wrapped line would break the display
            TextColumn("[dim]{task.fields[item]}[/]", table_column=Column(no_wrap=True, overflow="ellipsis")),
            console=console,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> ProgressBars:
        self.bars.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.bars.stop()

    def expect(self, unit: str, count: int) -> None:
        """`count` more items of `unit` are coming (its bar appears with the first)."""
        task = self.tasks.get(unit)
        if task is None:
            self.tasks[unit] = self.bars.add_task(unit, total=count, item="")
            return
        self.bars.update(task, total=(self._state(task).total or 0) + count)

    def advance(self, unit: str, item: str) -> None:
        """One item of `unit` is done: `item` names it beside the bar."""
        if unit not in self.tasks:
            self.expect(unit, 0)
        task = self.tasks[unit]
        state = self._state(task)
        # An item nobody announced still counts: the total never falls behind what is done.
        total = max(state.total or 0, state.completed + 1)
        self.bars.update(task, advance=1, total=total, item=item)

    def _state(self, task: TaskID) -> Task:
        return next(state for state in self.bars.tasks if state.id == task)
