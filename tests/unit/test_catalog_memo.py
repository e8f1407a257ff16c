"""The kept catalog: used only while everything it is built from is unchanged, and then equal to a fresh one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from llmflation import build as build_module
from llmflation.buildstate import state_dir
from llmflation.config import REPO_REFERENCE_DIR
from llmflation.fetch.rawstore import RawStore
from llmflation.config import Settings
from tests.unit.test_build_state import A, B, assert_same, put, tables, two_data_folders


@pytest.fixture
def stores(tmp_path: Path) -> tuple[RawStore, Settings, Settings]:
    return two_data_folders(tmp_path)


def built_fresh(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the catalogs built (not taken from the kept file)."""
    calls: list[int] = []
    real = build_module.build_catalog

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "build_catalog", counting)
    return calls


def test_an_unchanged_night_uses_the_kept_catalog_and_gets_the_tables_of_a_full_build(stores, monkeypatch) -> None:
    store, nightly, rebuilt = stores
    calls = built_fresh(monkeypatch)
    put(store, A, 0)
    tables(nightly)
    assert (state_dir(nightly) / "catalog.pickle").exists() and len(calls) == 1
    put(store, A, 1)  # a night like the last: the same model list
    kept, _ = tables(nightly)
    assert len(calls) == 1  # not built again
    assert_same(kept, tables(rebuilt, full=True)[0])
    put(store, B, 2)  # a new model list: the catalog is built again
    before = len(calls)
    changed, _ = tables(nightly)
    assert len(calls) == before + 1
    assert_same(changed, tables(rebuilt, full=True)[0])


def test_a_changed_reference_file_builds_the_catalog_again(stores, monkeypatch, tmp_path: Path) -> None:
    store, nightly, _ = stores
    shutil.copytree(REPO_REFERENCE_DIR, nightly.data_dir / "reference")
    assert nightly.reference_dir == nightly.data_dir / "reference"
    calls = built_fresh(monkeypatch)
    put(store, A, 0)
    tables(nightly)
    models = nightly.reference_dir / "models.csv"
    models.write_bytes(models.read_bytes() + b"\n")  # any change of bytes, even one a reader would not see
    tables(nightly)
    assert len(calls) == 2


def test_an_unreadable_kept_catalog_is_built_again(stores, monkeypatch) -> None:
    store, nightly, rebuilt = stores
    put(store, A, 0)
    tables(nightly)
    (state_dir(nightly) / "catalog.pickle").write_bytes(b"not a pickle")
    calls = built_fresh(monkeypatch)
    again, _ = tables(nightly)
    assert len(calls) == 1
    assert_same(again, tables(rebuilt, full=True)[0])


def test_a_change_to_the_package_code_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Matching rules live in the code: an edited or added module must not reuse a catalog kept before it."""
    from llmflation import catalog_memo, kept
    from llmflation.parsing import ParsedStore

    code = tmp_path / "package"
    code.mkdir()
    (code / "match.py").write_text("RULES = 1\n")
    reference = tmp_path / "reference"
    shutil.copytree(REPO_REFERENCE_DIR, reference)
    monkeypatch.setattr(kept, "_PACKAGE", code)
    keys = [catalog_memo.catalog_key(reference, ParsedStore())]
    assert catalog_memo.catalog_key(reference, ParsedStore()) == keys[0]  # the same code: the same key
    (code / "match.py").write_text("RULES = 2\n")
    keys.append(catalog_memo.catalog_key(reference, ParsedStore()))
    (code / "parsers").mkdir()
    (code / "parsers" / "new.py").write_text("")
    keys.append(catalog_memo.catalog_key(reference, ParsedStore()))
    assert len(set(keys)) == 3
