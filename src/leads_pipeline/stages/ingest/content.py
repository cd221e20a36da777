"""What a file's bytes say before it is parsed: the hash of its whole content, its encoding, NULs.

One streaming pass over every byte (the copy of a cloud file, or a read of a local one) answers
three questions at once, in fixed-size chunks so memory stays flat for any size:
- the SHA-256 of the whole content: a file is new when the ledger has not seen its path with this
  content, and a copy is a copy only when every byte agrees (a sample would miss one changed digit);
- the encoding, decided from the whole file: a UTF-8 byte-order mark followed by cp1252 bytes is
  cp1252, however far into the file the first such byte is;
- NUL bytes: in the first block they mark a binary file (refused); further on they are stored as
  read and the records holding them are flagged.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from leads_pipeline.config.errors import FileRejected

CHUNK_BYTES = 1 << 22
BINARY_WINDOW = 1 << 16
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class Content:
    """The facts one pass over a file's bytes established."""

    sha256: str
    size: int
    encoding: str  # utf-8 | utf-8-sig | utf-16 | cp1252
    has_bom: bool
    nul_bytes: int  # outside UTF-16 files, where every other byte is NUL

    @property
    def fingerprint(self) -> str:
        return f"sha256:{self.sha256}"


class ContentScanner:
    """Fed the file's bytes in order, chunk by chunk; `result()` once the last chunk is in."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self._size = 0
        self._head = b""
        self._utf8 = codecs.getincrementaldecoder("utf-8")("strict")
        self._valid_utf8 = True
        self._nul_bytes = 0

    def feed(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        if len(self._head) < BINARY_WINDOW:
            self._head += chunk[: BINARY_WINDOW - len(self._head)]
        self._size += len(chunk)
        if self._head.startswith(UTF16_BOMS):
            return  # UTF-16 is validated while it is transcoded
        self._nul_bytes += chunk.count(b"\x00")
        if self._valid_utf8:
            try:
                self._utf8.decode(chunk)
            except UnicodeDecodeError:
                self._valid_utf8 = False

    def result(self) -> Content:
        head = self._head
        if self._valid_utf8 and not head.startswith(UTF16_BOMS):
            try:
                self._utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                self._valid_utf8 = False
        if head.startswith(UTF16_BOMS):
            encoding, bom = "utf-16", True
        else:
            if b"\x00" in head:
                raise FileRejected(
                    "it is not a text CSV (it holds NUL bytes: a binary file, or UTF-16 without a "
                    "byte-order mark); export it again as a UTF-8 CSV"
                )
            bom = head.startswith(codecs.BOM_UTF8)
            encoding = ("utf-8-sig" if bom else "utf-8") if self._valid_utf8 else "cp1252"
        nul_bytes = 0 if encoding == "utf-16" else self._nul_bytes
        return Content(self._hash.hexdigest(), self._size, encoding, bom, nul_bytes)


def scan_file(path: Path) -> Content:
    """Read a local file once and return what its bytes say."""
    scanner = ContentScanner()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            scanner.feed(chunk)
    return scanner.result()


def copy_and_scan(source: BinaryIO, target: Path) -> Content:
    """Copy a stream into a local file, scanning the bytes on their way (one read of a cloud file)."""
    scanner = ContentScanner()
    with target.open("wb") as out:
        while chunk := source.read(CHUNK_BYTES):
            scanner.feed(chunk)
            out.write(chunk)
    return scanner.result()


def _cp1252_lenient(error: UnicodeDecodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined; keep them as their Latin-1 characters, never drop."""
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("cp1252_lenient", _cp1252_lenient)


def transcode_to_utf8(source: Path, target: Path, content: Content) -> None:
    """Stream a file into UTF-8 in fixed-size chunks, so memory stays flat for any size.

    A UTF-16 file cut short or holding a broken character is refused, saying where.
    """
    errors = "cp1252_lenient" if content.encoding == "cp1252" else "strict"
    decoder = codecs.getincrementaldecoder(content.encoding)(errors=errors)
    done = 0
    with source.open("rb") as src, target.open("wb") as dst:
        if content.encoding == "cp1252" and content.has_bom:
            src.seek(len(codecs.BOM_UTF8))  # the mark says UTF-8; the bytes after it are not
            done = len(codecs.BOM_UTF8)
        try:
            while chunk := src.read(CHUNK_BYTES):
                dst.write(decoder.decode(chunk).encode("utf-8"))
                done += len(chunk)
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError as exc:
            where = done + exc.start if exc.start < len(exc.object) else done
            problem = "it ends in the middle of a character" if exc.reason == "truncated data" else exc.reason
            raise FileRejected(
                f"it is not valid {content.encoding.upper()}: {problem} (byte {where:,}); export it again"
            ) from None
