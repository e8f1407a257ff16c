"""The schema contract: a published table's columns or types never change without a version bump."""

from __future__ import annotations

import re
from pathlib import Path

from llmflation.schema import SCHEMA_VERSION
from llmflation.schema_contract import REGENERATE, current_snapshot, differences, load_snapshot

CHANGELOG = Path(__file__).resolve().parents[2] / "SCHEMA_CHANGELOG.md"


def test_published_tables_match_the_snapshot_of_their_version() -> None:
    snapshot, current = load_snapshot(), current_snapshot()
    changed = differences(snapshot, current)
    if snapshot["schema_version"] == SCHEMA_VERSION:
        assert not changed, (
            f"published tables changed without a schema version bump ({SCHEMA_VERSION}):\n  "
            + "\n  ".join(changed)
            + f"\nBump SCHEMA_VERSION in src/llmflation/schema.py, add an entry to SCHEMA_CHANGELOG.md, then run: {REGENERATE}")
    else:
        raise AssertionError(f"SCHEMA_VERSION is {SCHEMA_VERSION} but the snapshot is of {snapshot['schema_version']}: "
                             f"run {REGENERATE}")
    assert snapshot == current, f"the snapshot is stale (column order?): run {REGENERATE}"


def test_the_changelog_has_an_entry_for_the_current_version() -> None:
    headings = re.findall(r"^## (\S+)", CHANGELOG.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert SCHEMA_VERSION in headings, f"SCHEMA_CHANGELOG.md has no '## {SCHEMA_VERSION}' entry"


def test_a_retyped_or_removed_column_is_a_difference() -> None:
    before = {"tables": {"t": [["a", "double", True], ["b", "string", True]]}}
    after = {"tables": {"t": [["a", "decimal128(38, 18)", True], ["c", "string", False]]}}
    assert differences(before, after) == ["t.a: double -> decimal128(38, 18)", "t.b removed", "t.c added (string)"]
    assert differences(before, before) == []
