"""The README runs: every code block of README.md, against the release ``make run`` builds offline.

- ``python`` blocks are executed (each in a fresh namespace, in a folder holding that release as
  ``data/published``); when a block ends in an expression that gives a DataFrame or Series, it
  must not be empty: an example that shows nothing teaches nothing.
- ``sql`` blocks are run by DuckDB in the same folder, and must return rows.
- ``sh`` and ``text`` blocks: every ``llmflation`` command line must be valid: a concrete command
  parses with the CLI's own parser; a synopsis (``[--sources IDS]``) names a subcommand and options
  that its ``--help`` lists.
- ``toml`` blocks must load as a configuration file.

A block may be preceded by a marker, a comment the reader does not see:
``<!-- readme-test: needs network (why) -->`` (compiled, not run) or
``<!-- readme-test: may be empty (why) -->`` (run, allowed to return no rows). The reason is required.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from llmflation.cli import build_parser
from llmflation.config import load_settings

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[2] / "README.md"
LANGUAGES = {"python", "sql", "sh", "text", "toml"}
_FENCE = re.compile(r"(?:<!-- readme-test: (?P<marker>[^>]*?) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)\n```", re.DOTALL)


@dataclass(frozen=True)
class Block:
    line: int
    lang: str
    body: str
    marker: str

    @property
    def id(self) -> str:
        return f"{self.lang}@{self.line}"


def readme_blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    return [Block(text.count("\n", 0, m.start("lang")) + 1, m["lang"], m["body"], m["marker"] or "")
            for m in _FENCE.finditer(text)]


BLOCKS = readme_blocks()


@pytest.fixture(scope="module")
def offline_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose data/published holds the release an offline ``make run`` builds (reference data only)."""
    folder = tmp_path_factory.mktemp("readme")
    env = {k: v for k, v in os.environ.items() if k != "LLMFLATION_CONFIG"}
    env["LLMFLATION_DATA_DIR"] = str(folder / "data")
    done = subprocess.run([sys.executable, "-m", "llmflation.cli", "build"], env=env, cwd=folder,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


@pytest.fixture
def in_release(offline_release: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(offline_release)
    monkeypatch.setenv("LLMFLATION_DATA_DIR", str(offline_release / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return offline_release


def test_every_block_has_a_known_language_and_markers_say_why() -> None:
    assert BLOCKS, "no code blocks found in README.md"
    for block in BLOCKS:
        assert block.lang in LANGUAGES, f"README.md line {block.line}: code block without a known language ({block.lang!r})"
        if block.marker:
            assert re.fullmatch(r"(needs network|may be empty) \(.+\)", block.marker), (
                f"README.md line {block.line}: marker {block.marker!r} must be 'needs network (why)' or 'may be empty (why)'")


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "python"], ids=lambda b: b.id)
def test_python_block_runs(block: Block, in_release: Path) -> None:
    tree = ast.parse(block.body, filename=f"README.md:{block.line}")
    if block.marker.startswith("needs network"):
        compile(tree, f"README.md:{block.line}", "exec")
        pytest.skip(f"README.md line {block.line}: {block.marker}")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    namespace: dict[str, object] = {"__name__": "__readme__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(tree, f"README.md:{block.line}", "exec"), namespace)  # noqa: S102 - our own README
        value = eval(compile(ast.Expression(last.value), f"README.md:{block.line}", "eval"), namespace) if last else None  # noqa: S307
    import matplotlib.pyplot as plt

    plt.close("all")
    if isinstance(value, pd.DataFrame | pd.Series) and not block.marker.startswith("may be empty"):
        assert len(value) > 0, f"README.md line {block.line}: the example shows an empty result on the offline release"


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "sql"], ids=lambda b: b.id)
def test_sql_block_runs_in_duckdb(block: Block, in_release: Path) -> None:
    duckdb = pytest.importorskip("duckdb", reason="duckdb is the [duckdb] extra; make install has it")
    rows = duckdb.connect().execute(block.body).fetchall()
    if not block.marker.startswith("may be empty"):
        assert rows, f"README.md line {block.line}: the query returns no rows on the offline release"


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang in ("sh", "text")], ids=lambda b: b.id)
def test_llmflation_command_lines_are_valid(block: Block) -> None:
    for line in block.body.splitlines():
        command = re.split(r"\s{2,}|\s#", line.strip())[0]  # a synopsis line continues with its description
        if not command.startswith("llmflation "):
            continue
        words = command.split()[1:]
        if "[" in command or "..." in command:  # a synopsis: the subcommand and every option it names
            help_text = _help(words[0])
            for option in re.findall(r"--[a-z][a-z-]*", command):
                assert option in help_text, f"README.md line {block.line}: {words[0]} has no option {option}"
            continue
        try:
            build_parser().parse_args(shlex.split(command)[1:])
        except SystemExit as exc:
            raise AssertionError(f"README.md line {block.line}: {command!r} does not parse") from exc


def _help(subcommand: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args([subcommand, "--help"])
    return out.getvalue()


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "toml"], ids=lambda b: b.id)
def test_toml_block_is_a_valid_configuration(block: Block, tmp_path: Path) -> None:
    path = tmp_path / "llmflation.toml"
    path.write_text(block.body + "\n")
    settings = load_settings(env={"LLMFLATION_CONFIG": str(path), "LLMFLATION_DATA_DIR": str(tmp_path)}, cwd=tmp_path)
    assert settings.config_path == path


def test_an_example_that_shows_nothing_fails(in_release: Path) -> None:
    """The example issue 17 found: gpt-4o's captured prices, on a release that has no captures."""
    old = Block(1, "python", 'import pandas as pd\nprices = pd.read_parquet("data/published/latest/prices.parquet")\n'
                             'prices[prices.model_key == "openai/gpt-4o"]', "")
    with pytest.raises(AssertionError, match="empty result"):
        test_python_block_runs(old, in_release)
    with pytest.raises(AssertionError, match="no rows"):
        test_sql_block_runs_in_duckdb(Block(2, "sql", "SELECT * FROM 'data/published/latest/prices.parquet'", ""), in_release)
