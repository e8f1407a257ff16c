"""Results a build keeps between runs and uses again while everything they are made from is unchanged.

A night whose captures all repeat the night before changes no model list and no price, yet
building the catalog or fitting the decline rates again costs as much as on any other night.
Such a result is kept under ``<data_dir>/state/build/`` as a pickle beside its key: a sha256 of
everything it is made from, always including the source of every module of this package (a code
change may change any result). A different key, or a missing or unreadable file: the result is
made again and the file replaced (written whole, then renamed). ``build --full`` deletes the build
state, these files with it. Only our own build writes the files it later reads.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from pathlib import Path
from typing import Generic, TypeVar

import pandas as pd

from llmflation.fetch.rawstore import write_atomic

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent

T = TypeVar("T")


def package_digest(digest: hashlib._Hash) -> None:
    """Add the path and bytes of every module of this package to ``digest``."""
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(f"code {path.relative_to(_PACKAGE).as_posix()}\n".encode())
        digest.update(path.read_bytes())


def frame_digest(digest: hashlib._Hash, name: str, frame: pd.DataFrame) -> None:
    """Add a table's column names and values (row by row, in order) to ``digest``."""
    digest.update(f"frame {name} {len(frame)} {list(frame.columns)}\n".encode())
    if len(frame):
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())


class KeptResult(Generic[T]):
    """One kept result: :meth:`load` it when its key is this build's, else make it and :meth:`save` it."""

    def __init__(self, path: Path, key: str, kind: type[T]) -> None:
        self.path = Path(path)
        self.key = key
        self.kind = kind

    def load(self) -> T | None:
        """The kept result when its key is ``key``; None otherwise."""
        try:
            key, value = pickle.loads(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001  any unreadable file (another version's classes included): make it again
            log.warning("kept result %s is unreadable (%s): making it again", self.path, exc)
            return None
        if key != self.key or not isinstance(value, self.kind):
            return None
        log.info("%s: unchanged inputs, the kept result is used", self.path.name)
        return value

    def save(self, value: T) -> None:
        """Keep ``value`` for the next build with the same key."""
        write_atomic(self.path, pickle.dumps((self.key, value), protocol=pickle.HIGHEST_PROTOCOL))
