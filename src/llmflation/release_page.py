"""The release page: ``index.html`` in every release folder, static HTML readable without JavaScript.

It is rendered from the release's own files, so it can never disagree with them: the headline
(``run_report.json``), the chart (``llmflation.png``), each table with its row count, size,
download link and column dictionary (``datapackage.json``, the Parquet footers), what changed
since the previous release (rows added and removed per table, new models, new price changes),
the licences and attributions (``datapackage.json``), and how to cite the release.
"""

from __future__ import annotations

import json
import logging
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from llmflation.fetch.rawstore import write_atomic

log = logging.getLogger(__name__)

PAGE = "index.html"
#: Most rows of a list (new models, price changes) shown on the page; the tables have them all.
MAX_LISTED = 50

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
code, pre { background: #f6f6f6; }
pre { padding: .5rem; overflow-x: auto; }
summary { cursor: pointer; }
"""


def write_release_page(release: Path, previous: Path | None) -> Path:
    """Render ``release/index.html``; ``previous`` is the release it follows (None for the first)."""
    path = release / PAGE
    write_atomic(path, render_release_page(release, previous).encode("utf-8"))
    return path


def with_link_prefix(page: str, prefix: str) -> str:
    """The same page with every relative link resolved under ``prefix`` (the top of the tree -> ``latest/``)."""
    return page.replace("<head>", f'<head>\n<base href="{escape(prefix)}">', 1)


def render_release_page(release: Path, previous: Path | None) -> str:
    package = _json(release / "datapackage.json")
    report = _json(release / "run_report.json")
    version = str(package.get("version", release.name))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>llmflation release {escape(version)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>llmflation release {escape(version)}</h1>",
        f"<p>{escape(str(package.get('title', '')))}. Schema version {escape(str(package.get('schema_version', '?')))}; "
        f"content digest <code>{escape(str(package.get('content_digest', ''))[:16])}</code>. "
        'All files: <a href="datapackage.json">datapackage.json</a> (every table and column), '
        '<a href="run_report.json">run_report.json</a> (what each source gave), '
        '<a href="release.json">release.json</a>.</p>',
        *_headline(report),
        *_chart(release),
        *_tables(release, package),
        *_changes(release, previous),
        *_licences(package),
        *_citation(package, version),
        *_usage(),
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _headline(report: dict[str, Any]) -> list[str]:
    lines = report.get("sections", {}).get("analysis", {}).get("headline") or report.get("analysis", {}).get("headline") or []
    if not lines:
        return ["<h2>Headline</h2>", "<p>No headline: the analysis found no quality level with prices.</p>"]
    return ["<h2>Headline</h2>", "<ul>", *(f"<li>{escape(str(line))}</li>" for line in lines), "</ul>"]


def _chart(release: Path) -> list[str]:
    if not (release / "llmflation.png").is_file():
        return []
    return ["<h2>Chart</h2>",
            '<p><a href="llmflation.png"><img src="llmflation.png" alt="Cheapest price per 1M tokens at each quality level, '
            'month by month, log scale, with fitted trends"></a></p>']


def _tables(release: Path, package: dict[str, Any]) -> list[str]:
    out = ["<h2>Tables</h2>", "<table>", "<tr><th>table</th><th>rows</th><th>size</th><th>what one row is</th></tr>"]
    dictionaries: list[str] = []
    for resource in package.get("resources", []):
        path = release / str(resource["path"])
        rows = pq.ParquetFile(path).metadata.num_rows if path.is_file() else 0
        size = path.stat().st_size if path.is_file() else 0
        name = escape(str(resource["name"]))
        out.append(f'<tr><td><a href="{escape(str(resource["path"]))}">{name}</a></td><td class="num">{rows:,}</td>'
                   f'<td class="num">{_size(size)}</td><td>{escape(str(resource.get("description", "")))}</td></tr>')
        dictionaries.extend(_dictionary(resource))
    out.append("</table>")
    return [*out, "<h3>Column dictionary</h3>", *dictionaries]


def _dictionary(resource: dict[str, Any]) -> list[str]:
    schema = resource.get("schema", {})
    key = ", ".join(schema.get("primaryKey", [])) or "none"
    rows = [
        f"<tr><td><code>{escape(f['name'])}</code></td><td>{escape(f.get('type', ''))}</td><td>{escape(f.get('unit', ''))}</td>"
        f"<td>{'yes' if f.get('constraints', {}).get('required') else ''}</td><td>{escape(f.get('description', ''))}</td></tr>"
        for f in schema.get("fields", [])
    ]
    return [
        f'<details id="columns-{escape(resource["name"])}"><summary><code>{escape(resource["name"])}</code> '
        f"({len(rows)} columns; key: {escape(key)})</summary>",
        "<table><tr><th>column</th><th>type</th><th>unit</th><th>required</th><th>meaning</th></tr>",
        *rows,
        "</table></details>",
    ]


def _changes(release: Path, previous: Path | None) -> list[str]:
    out = ["<h2>What changed</h2>"]
    if previous is None or not (previous / "release.json").is_file():
        return [*out, "<p>This is the first release.</p>"]
    out.append(f'<p>Since release <code>{escape(previous.name)}</code>.</p>')
    out.append("<table><tr><th>table</th><th>rows added</th><th>rows removed</th><th>rows now</th></tr>")
    for name, added, removed, total in table_changes(release, previous):
        out.append(f'<tr><td>{escape(name)}</td><td class="num">{added:,}</td><td class="num">{removed:,}</td>'
                   f'<td class="num">{total:,}</td></tr>')
    out.append("</table>")
    models = new_rows(release, previous, "models", ["model_id"])
    out.append(f"<h3>New models ({len(models)})</h3>")
    if len(models):
        out.append("<ul>" + "".join(
            f"<li><code>{escape(str(m.model_id))}</code> ({escape(str(m.creator))})</li>"
            for m in models.head(MAX_LISTED).itertuples()) + "</ul>")
    changes = new_rows(release, previous, "price_changes",
                       ["source_id", "provider", "model_key", "tier", "quantization", "changed_at"])
    out.append(f"<h3>New price changes ({len(changes)})</h3>")
    if len(changes):
        out.append("<table><tr><th>first seen</th><th>model</th><th>provider</th><th>tier</th><th>input</th>"
                   "<th>output</th><th>ratio</th><th>source</th></tr>")
        for c in changes.sort_values("changed_at", ascending=False).head(MAX_LISTED).itertuples():
            out.append(
                f"<tr><td>{c.changed_at:%Y-%m-%d}</td><td>{escape(str(c.model_key))}</td><td>{escape(str(c.provider))}</td>"
                f"<td>{escape(str(c.tier))}</td><td>{_usd(c.old_input_usd_per_mtok)} → {_usd(c.new_input_usd_per_mtok)}</td>"
                f"<td>{_usd(c.old_output_usd_per_mtok)} → {_usd(c.new_output_usd_per_mtok)}</td>"
                f'<td class="num">{"" if pd.isna(c.ratio) else f"{c.ratio:.3g}"}</td><td>{escape(str(c.source_id))}</td></tr>')
        out.append("</table>")
    return out


def table_changes(release: Path, previous: Path) -> list[tuple[str, int, int, int]]:
    """(table, rows added, rows removed, rows now) for every table of ``release``; rows compared whole."""
    result = []
    for path in sorted(release.glob("*.parquet")):
        now = _row_hashes(path)
        before = _row_hashes(previous / path.name)
        result.append((path.stem, len(now - before), len(before - now), len(now)))
    return result


def new_rows(release: Path, previous: Path, table: str, key: list[str]) -> pd.DataFrame:
    """Rows of ``table`` whose key the previous release did not have."""
    path = release / f"{table}.parquet"
    if not path.is_file():
        return pd.DataFrame()
    now = pd.read_parquet(path)
    old_path = previous / f"{table}.parquet"
    if not old_path.is_file():
        return now
    old = pd.read_parquet(old_path, columns=[k for k in key if k in now.columns])
    old_keys = set(old.astype(str).itertuples(index=False, name=None))
    fresh = [k not in old_keys for k in now[key].astype(str).itertuples(index=False, name=None)]
    return now[fresh]


def _row_hashes(path: Path) -> set[int]:
    if not path.is_file():
        return set()
    frame = pd.read_parquet(path)
    return set(pd.util.hash_pandas_object(frame.astype(str), index=False).tolist())


def _licences(package: dict[str, Any]) -> list[str]:
    out = ["<h2>Licences and attributions</h2>"]
    for licence in package.get("licenses", []):
        link = f' (<a href="{escape(licence["path"])}">{escape(licence["path"])}</a>)' if licence.get("path") else ""
        out.append(f"<p>Our own tables: {escape(licence.get('title') or licence.get('name', ''))}{link}.</p>")
    out.append("<table><tr><th>source</th><th>licence</th><th>attribution required</th></tr>")
    for source in package.get("sources", []):
        out.append(f"<tr><td>{escape(str(source.get('title', '')))}</td><td>{escape(str(source.get('licence', '')))}</td>"
                   f"<td>{escape(str(source.get('attribution', '')))}</td></tr>")
    out.append("</table>")
    return out


def _citation(package: dict[str, Any], version: str) -> list[str]:
    year = version[:4] if version[:4].isdigit() else ""
    text = (f"llmflation contributors ({year}). llmflation: the cheapest LLM price per quality level, "
            f"month by month. Dataset release {version}, schema {package.get('schema_version', '?')}.")
    bibtex = (f"@misc{{llmflation_{version.replace('-', '_')},\n  title = {{llmflation: the cheapest LLM price per quality level}},\n"
              f"  author = {{{{llmflation contributors}}}},\n  year = {{{year}}},\n  note = {{Dataset release {version}}}\n}}")
    return ["<h2>How to cite</h2>", f"<p>{escape(text)}</p>", f"<pre>{escape(bibtex)}</pre>",
            "<p>Cite the sources behind the numbers you use as well: each price carries its evidence "
            "(capture URL and sha256, or the URL a curated row cites).</p>"]


def _usage() -> list[str]:
    code = ('import pandas as pd\n'
            'cheapest = pd.read_parquet("cheapest_by_quality.parquet")\n'
            'level = cheapest[(cheapest.threshold == 42) & (cheapest.blend == "1:1")]\n'
            'level.plot(x="month", y="usd_per_mtok", logy=True)\n\n'
            "-- DuckDB\nSELECT * FROM 'price_changes.parquet' WHERE ratio < 0.5 ORDER BY changed_at DESC;")
    return ["<h2>Use it</h2>", f"<pre>{escape(code)}</pre>"]


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


def _usd(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"${value:.4g}"


def _json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("release page: cannot read %s (%s)", path, exc)
        return {}
