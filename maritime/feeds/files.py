"""Files as feeds: which files a PATH argument names, reading their lines with byte offsets, sniffing the format."""

from __future__ import annotations

import glob
import gzip
import time
import zlib
from hashlib import blake2b
from pathlib import Path
from typing import BinaryIO, Iterator

from maritime.errors import FeedError

GZIP_MAGIC = b"\x1f\x8b"
FINGERPRINT_BYTES = 65_536


def expand_paths(arguments: list[str]) -> list[Path]:
    """Files named by arguments: plain paths, folders (recursively, hidden files skipped) and globs."""
    found: list[Path] = []
    for argument in arguments:
        if any(ch in argument for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(argument, recursive=True))
            files = [p for p in matches if p.is_file()]
            if not files:
                raise FeedError(f"no files match {argument}")
            found.extend(files)
            continue
        path = Path(argument)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(path).parts))
            if not files:
                raise FeedError(f"folder {path} holds no files")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise FeedError(f"{path} is not a regular file")
        else:
            raise FeedError(f"no such file or folder: {path}")
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path.resolve(), None)
    return list(unique)


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_binary(path: Path) -> BinaryIO:
    try:
        return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")
    except OSError as exc:
        raise FeedError(f"cannot read {path}: {exc.strerror or exc}") from None


def fingerprint(path: Path, length: int = FINGERPRINT_BYTES) -> str:
    """Identifies a file by its first bytes, so that a file that grows keeps its identity.

    The result names how many bytes it covers (``"4096:..."``); compare with :func:`same_file`.
    """
    with open(path, "rb") as handle:
        head = handle.read(length)
    return f"{len(head)}:{blake2b(head, digest_size=16).hexdigest()}"


def same_file(path: Path, recorded: str) -> bool:
    """Whether ``path`` starts with the bytes a recorded fingerprint was taken of."""
    length, _, _ = recorded.partition(":")
    return length.isdigit() and fingerprint(path, int(length)) == recorded


def first_line(path: Path, limit: int = 4096) -> str:
    try:
        with open_binary(path) as handle:
            for raw in handle:
                text = raw[:limit].decode("utf-8", "replace").strip()
                if text:
                    return text
    except (OSError, EOFError, zlib.error) as exc:
        raise FeedError(f"cannot read {path}: {exc}") from None
    return ""


def read_lines(path: Path, start_offset: int = 0, start_line: int = 0) -> Iterator[tuple[bytes, int, int]]:
    """Yield (line, line number from 1, byte offset after the line) from ``start_offset``.

    Offsets are in the uncompressed stream, so a .gz file resumes too (by reading up to the offset).
    """
    handle = open_binary(path)
    try:
        try:
            if start_offset:
                handle.seek(start_offset)
            offset, line_no = start_offset, start_line
            for line in handle:
                offset += len(line)
                line_no += 1
                yield line, line_no, offset
        except (OSError, EOFError, zlib.error) as exc:  # e.g. a truncated or damaged .gz
            raise FeedError(f"cannot read {path} after byte {offset}: {exc}") from None
    finally:
        handle.close()


def size_of(path: Path) -> int:
    return path.stat().st_size


RECENTLY_WRITTEN_S = 60.0


def being_written(path: Path) -> bool:
    """A plain file modified in the last minute: a recorder may still be appending to it."""
    return not is_gzip(path) and time.time() - path.stat().st_mtime < RECENTLY_WRITTEN_S
