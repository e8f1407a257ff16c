"""The kept runs of the build state: a night that only extends versions uses them, and its ``prices``
(with the new ``last_observed_at`` and ``n_captures``) are those of a full rebuild; anything the runs
are found from changing finds them again."""

from __future__ import annotations

import pytest

from llmflation.buildstate import BuildState, state_dir
from tests.unit.test_build_state import A, B, E1, assert_same, put, tables, two_data_folders


@pytest.fixture
def found(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs found (not taken from the kept file)."""
    calls: list[int] = []
    real = BuildState._runs

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(BuildState, "_runs", counting)
    return calls


def test_a_night_that_only_extends_versions_uses_the_kept_runs(tmp_path, found) -> None:
    store, nightly, rebuilt = two_data_folders(tmp_path)
    put(store, A, 0)
    tables(nightly)
    assert len(found) == 1 and (state_dir(nightly) / "runs.pickle").exists()
    put(store, A, 1)
    put(store, A, 2)
    kept, _ = tables(nightly)
    assert len(found) == 1  # not found again
    full, _ = tables(rebuilt, full=True)
    assert_same(kept, full)
    assert kept["prices"]["n_captures"].tolist() == [3, 3]  # counted from the versions as they are now
    assert kept["prices"]["last_observed_at"].dt.day.tolist() == [3, 3]


@pytest.mark.parametrize("change", ["new version", "new listing", "unreadable file"])
def test_anything_the_runs_are_found_from_changing_finds_them_again(tmp_path, found, change: str) -> None:
    store, nightly, rebuilt = two_data_folders(tmp_path)
    put(store, A, 0)
    tables(nightly)
    if change == "new version":
        put(store, B, 1)
    elif change == "new listing":
        put(store, E1, 1, url="https://openrouter.ai/api/v1/models/openai/gpt-4o-mini/endpoints")
    else:
        put(store, A, 1)
        (state_dir(nightly) / "runs.pickle").write_bytes(b"not a pickle")
    again, _ = tables(nightly)
    assert len(found) == 2
    assert_same(again, tables(rebuilt, full=True)[0])
