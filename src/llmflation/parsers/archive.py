"""Reading zip archives (a repository download, a data bundle) with every size bounded."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from llmflation.records import ParseError

MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
MAX_MEMBER_BYTES = 16 * 1024 * 1024
MAX_MEMBERS = 200_000


def is_zip(body: bytes) -> bool:
    """True when ``body`` starts like a zip archive (``PK\\x03\\x04``, or ``PK\\x05\\x06`` when empty)."""
    return body[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def archive_members(body: bytes, keep: Callable[[str], bool]) -> dict[str, bytes]:
    """The archive's files whose path ``keep`` accepts, by path: compressed, expanded and per-member sizes bounded."""
    if len(body) > MAX_ARCHIVE_BYTES:
        raise ParseError(f"archive of {len(body)} bytes is over the {MAX_ARCHIVE_BYTES}-byte limit")
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise ParseError(f"not a zip archive: {exc}") from exc
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ParseError(f"archive has {len(infos)} members, over the {MAX_MEMBERS} limit")
    files: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir() or not keep(info.filename):
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise ParseError(f"{info.filename}: {info.file_size} bytes, over the {MAX_MEMBER_BYTES}-byte limit")
        total += info.file_size
        if total > MAX_ARCHIVE_BYTES:
            raise ParseError(f"archive expands past {MAX_ARCHIVE_BYTES} bytes")
        try:
            files[info.filename] = archive.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise ParseError(f"{info.filename}: unreadable archive member ({exc})") from exc
    return files
