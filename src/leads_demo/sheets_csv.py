"""CSV written the way a Google Sheets export writes it.

CRLF between records, a bare LF kept inside quoted cells, quotes only where a cell needs
them (comma, quote, line break), quotes doubled, UTF-8, and no newline after the last
record. Rows are buffered and flushed in blocks, so memory does not grow with the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Self

_FLUSH_AT = 1 << 20  # characters
_SPECIAL = re.compile(r'[,"\r\n]')


def quote_column(values: list[str]) -> list[str]:
    """Quote the cells that need it, as the csv module's QUOTE_MINIMAL would.

    One pass over the whole column first: most columns need no quoting at all.
    """
    joined = "\x00".join(values)
    if not ("," in joined or "\n" in joined or '"' in joined or "\r" in joined):
        return values
    return [
        ('"' + v.replace('"', '""') + '"') if ("," in v or "\n" in v or '"' in v or "\r" in v) else v for v in values
    ]


def quote_cell(value: str) -> str:
    return ('"' + value.replace('"', '""') + '"') if _SPECIAL.search(value) else value


class SheetsCsvWriter:
    def __init__(self, path: Path, header: Sequence[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.records = 0
        self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._pending: list[str] = [",".join(quote_cell(h) for h in header), "\r\n"]
        self._size = 0

    def write_lines(self, quoted_rows: Iterable[Sequence[str]], count: int) -> None:
        """Write `count` rows whose cells are already quoted (see quote_column)."""
        if not count:
            return
        block = "\r\n".join(map(",".join, quoted_rows))
        self._pending += (block, "\r\n")
        self._size += len(block)
        self.records += count
        if self._size >= _FLUSH_AT:
            self._flush()

    def _flush(self) -> None:
        self._file.write("".join(self._pending).encode("utf-8"))
        self._pending, self._size = [], 0

    def close(self) -> None:
        self._flush()
        # Every record ended with CRLF; the export has none after the last one.
        self._file.seek(-2, os.SEEK_END)
        self._file.truncate()
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
