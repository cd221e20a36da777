"""CSV written the way a Google Sheets export writes it.

CRLF between records, a bare LF kept inside quoted cells, quotes only where a cell needs
them (comma, quote, line break), quotes doubled, UTF-8, and no newline after the last
record. Rows are buffered and flushed in blocks, so memory does not grow with the file.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Self

_FLUSH_AT = 1 << 20  # characters
_SPECIAL = re.compile(r'[,"\r\n]')


def quote_column(values: list[str]) -> list[str]:
    """Quote the cells that need it, as the csv module's QUOTE_MINIMAL would.

    One regex pass over the whole column first: most columns need no quoting at all.
    """
    if not _SPECIAL.search("\x00".join(values)):
        return values
    return [
        ('"' + v.replace('"', '""') + '"')
        if ("," in v or "\n" in v or '"' in v or "\r" in v)
        else v
        for v in values
    ]


def quote_cell(value: str) -> str:
    return ('"' + value.replace('"', '""') + '"') if _SPECIAL.search(value) else value


class SheetsCsvWriter:
    def __init__(self, path: Path, header: Sequence[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.records = 0
        self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._buffer = io.StringIO()
        self._writer = csv.writer(
            self._buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
        )
        self._writer.writerow(header)

    def write_rows(self, rows: Iterable[Sequence[str]]) -> None:
        rows = rows if isinstance(rows, list) else list(rows)
        self._writer.writerows(rows)
        self.records += len(rows)
        if self._buffer.tell() >= _FLUSH_AT:
            self._flush()

    def write_lines(self, quoted_rows: Iterable[Sequence[str]], count: int) -> None:
        """Write `count` rows whose cells are already quoted (see quote_column): the fast path."""
        if not count:
            return
        self._buffer.write("\r\n".join(map(",".join, quoted_rows)))
        self._buffer.write("\r\n")
        self.records += count
        if self._buffer.tell() >= _FLUSH_AT:
            self._flush()

    def _flush(self) -> None:
        self._file.write(self._buffer.getvalue().encode("utf-8"))
        self._buffer.seek(0)
        self._buffer.truncate()

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
