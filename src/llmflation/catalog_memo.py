"""The nightly catalog kept between builds, used again while nothing it is built from has changed.

:func:`~llmflation.catalog.build_catalog` reads the curated reference files and the model
records of each source's newest capture that states any; matching then asks the catalog about
every distinct model name of the ``prices`` table. On a night with no new model list both give
exactly what they gave the night before, at a cost that grows with the catalog and the release.
So the catalog, with the names matched so far (``Catalog._matched``, filled as the build asks),
is kept under ``<data_dir>/state/build/catalog.pickle`` beside a key: the sha256 of

- the source of every module of this package (a code change may change a catalog: rebuild),
- every file of the reference folder, by path and bytes,
- each newest model capture: source, capture id, sha256, observation time and parse result key.

A different key, a missing or unreadable file: the catalog is built again (:mod:`llmflation.kept`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from llmflation.catalog import CatalogBuild, newest_model_captures
from llmflation.kept import KeptResult, package_digest
from llmflation.parsing import ParsedStore


def catalog_key(reference_dir: Path, parsed: ParsedStore) -> str:
    """The digest of everything the catalog is built from (see the module doc)."""
    digest = hashlib.sha256()
    package_digest(digest)
    root = Path(reference_dir)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(f"reference {path.relative_to(root).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    for item in newest_model_captures(parsed):
        capture = item.capture
        result = item.outcome.key if item.outcome is not None else "unkeyed"
        digest.update(f"records {capture.source_id} {capture.capture_id} {capture.sha256} "
                      f"{capture.observed_at.isoformat()} {result}\n".encode())
    return digest.hexdigest()


class CatalogMemo:
    """The kept catalog of one build state folder: :meth:`load` it, or build it and :meth:`save` it."""

    def __init__(self, folder: Path, key: str) -> None:
        self.key = key  # names the catalog: what else is kept from it is kept under this too
        self._file = KeptResult(Path(folder) / "catalog.pickle", key, CatalogBuild)
        self._kept: tuple[CatalogBuild, int] | None = None  # what load gave, and how many names it had matched

    def load(self) -> CatalogBuild | None:
        """The kept catalog when its key is this build's; None otherwise."""
        built = self._file.load()
        if built is not None:
            self._kept = (built, len(built.catalog._matched))
        return built

    def save(self, built: CatalogBuild) -> None:
        """Keep ``built`` (with the names matched so far) for the next build with the same inputs."""
        if self._kept is not None and self._kept[0] is built and self._kept[1] == len(built.catalog._matched):
            return  # the file already holds exactly this
        self._file.save(built)
