"""Shared fixtures: the real-data corpus, and an isolated data folder per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def corpus_root() -> Path | None:
    """``$LLMFLATION_CORPUS``, else ``../shared/corpus`` beside the repository; None when absent."""
    candidate = Path(os.environ.get("LLMFLATION_CORPUS") or REPO_ROOT.parent / "shared" / "corpus")
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The corpus folder; tests that need it are skipped, saying why, when it is absent."""
    root = corpus_root()
    if root is None:
        pytest.skip("real-data corpus not found: set LLMFLATION_CORPUS or place shared/corpus beside the repo")
    return root


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh LLMFLATION_DATA_DIR holding a copy-free link to the repository's reference data."""
    folder = tmp_path / "data"
    folder.mkdir()
    reference = REPO_ROOT / "data" / "reference"
    if reference.is_dir():
        (folder / "reference").symlink_to(reference, target_is_directory=True)
    monkeypatch.setenv("LLMFLATION_DATA_DIR", str(folder))
    monkeypatch.delenv("LLMFLATION_CONFIG", raising=False)
    monkeypatch.delenv("LLMFLATION_WAYBACK_URL", raising=False)
    return folder
