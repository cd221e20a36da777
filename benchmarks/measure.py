"""Run one command in a child process and measure it: wall time, peak memory, output lines.

Peak memory is the largest resident set of the child's process tree: the kernel's own high-water
mark of the child (`wait4`'s `ru_maxrss`) and, for children that start helpers, the sum of the
tree's resident sets sampled every 50 ms, whichever is larger. A child starts with the
high-water mark of the process that started it (Linux carries it over the fork and exec), so the
kernel's mark counts only when it is above this process's own: after the benchmark has held a
large file in memory, its steps' peaks come from the samples.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.05
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    command: list[str]
    seconds: float
    peak_rss_bytes: int
    returncode: int
    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, stderr/stdout line)
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, tree RSS bytes)

    def peak_between(self, start: float, end: float) -> int:
        return max((rss for at, rss in self.samples if start <= at <= end), default=0)

    @property
    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def first_line_at(self, prefix: str) -> float | None:
        return next((at for at, line in self.lines if line.lstrip().startswith(prefix)), None)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
        except OSError:
            continue
        found.extend(int(child) for child in text.split())
    return found


def _tree_rss(pid: int) -> int:
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            resident = int(Path(f"/proc/{current}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident * PAGE
        pending.extend(_children(current))
    return total


def child_peak(child_maxrss_kb: int, inherited_kb: int) -> int:
    """Bytes of the child's own high-water mark, or 0 when it may be the one it inherited."""
    return child_maxrss_kb * 1024 if child_maxrss_kb > inherited_kb else 0


def run_measured(
    command: Sequence[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    echo: Callable[[str], None] | None = None,
) -> Measured:
    """Run `command`, stream its merged output with arrival times, return the measurements."""
    began = time.perf_counter()
    inherited = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=cwd,
        text=True,
        bufsize=1,
    )
    lines: list[tuple[float, str]] = []
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.perf_counter() - began, _tree_rss(process.pid)))
            done.wait(SAMPLE_SECONDS)

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            at = time.perf_counter() - began
            lines.append((at, line.rstrip("\n")))
            if echo:
                echo(f"    {at:7.1f}s  {line.rstrip()}")

    sampler = threading.Thread(target=sample, daemon=True)
    reader = threading.Thread(target=read, daemon=True)
    sampler.start()
    reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    done.set()
    reader.join()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    peak = max(child_peak(usage.ru_maxrss, inherited), max((rss for _, rss in samples), default=0))
    return Measured(list(command), seconds, peak, process.returncode, lines, samples)
