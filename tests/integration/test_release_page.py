"""The release page as a reader sees it: rendered by a real headless browser (Debian's chromium,
driven through chromium-driver), every link followed to a file of the release.

Two offline builds: the second drops the 3:1 blend, so the page has a previous release to
compare with and a known number of rows removed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("no browser: install Debian's chromium and chromium-driver (.ci/run does) to render the release page")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,2400",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _build(data: Path, config: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LLMFLATION_CONFIG"}
    env["LLMFLATION_DATA_DIR"] = str(data)
    if config:
        (data.parent / "llmflation.toml").write_text(config)
        env["LLMFLATION_CONFIG"] = str(data.parent / "llmflation.toml")
    done = subprocess.run([sys.executable, "-m", "llmflation.cli", "build"], env=env, cwd=data.parent,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("release-page") / "data"
    _build(data, "")
    _build(data, '[analysis]\nblends = ["1:1"]\n')
    releases = [p for p in (data / "published").iterdir() if p.is_dir() and not p.is_symlink()]
    assert len(releases) == 2
    return data / "published"


def _links(driver: object, page: Path) -> list[str]:
    """The page's links to files (resolved by the browser); links elsewhere must be https and are not followed."""
    driver.get(page.as_uri())  # type: ignore[attr-defined]
    anchors = driver.find_elements("css selector", "a[href]")  # type: ignore[attr-defined]
    hrefs = [a.get_property("href") for a in anchors]
    external = [h for h in hrefs if urlsplit(h).scheme != "file"]
    assert all(urlsplit(h).scheme == "https" for h in external), external
    return [h for h in hrefs if urlsplit(h).scheme == "file"]


def test_every_link_of_the_release_page_is_a_file_of_the_release(browser: object, published: Path) -> None:
    release = (published / "latest").resolve()
    hrefs = _links(browser, release / "index.html")
    targets = {Path(unquote(urlsplit(h).path)) for h in hrefs}
    assert targets, "the page has no links"
    for target in targets:
        assert target.is_file() and target.parent == release, target
    assert {p.name for p in release.glob("*.parquet")} <= {t.name for t in targets}
    assert {"datapackage.json", "run_report.json", "llmflation.png"} <= {t.name for t in targets}


def test_the_top_page_links_into_latest(browser: object, published: Path) -> None:
    hrefs = _links(browser, published / "index.html")
    for href in hrefs:
        path = Path(unquote(urlsplit(href).path))
        assert path.parent == published / "latest" and path.is_file(), href


def test_the_page_shows_headline_chart_tables_changes_licences_and_citation(browser: object, published: Path,
                                                                          tmp_path: Path) -> None:
    release = (published / "latest").resolve()
    browser.get((release / "index.html").as_uri())  # type: ignore[attr-defined]
    text = browser.find_element("tag name", "body").text  # type: ignore[attr-defined]
    assert f"llmflation release {release.name}" in text
    assert "MMLU ≥ 42, 1:1 blend: $60 per 1M tokens in Nov 2021" in text
    image_width = browser.execute_script(  # type: ignore[attr-defined]
        "return document.querySelector('img[src=\"llmflation.png\"]').naturalWidth")
    assert image_width > 500  # the chart loaded
    assert browser.execute_script("return document.scripts.length") == 0  # type: ignore[attr-defined]

    rows = {r.find_elements("tag name", "td")[0].text: r.find_elements("tag name", "td")[1].text
            for r in browser.find_elements("css selector", "h2 + table tr")[1:]  # type: ignore[attr-defined]
            if r.find_elements("tag name", "td")}
    for table in release.glob("*.parquet"):
        assert rows[table.stem] == f"{pq.ParquetFile(table).metadata.num_rows:,}"
    assert browser.find_elements("css selector", "details#columns-price_changes")  # type: ignore[attr-defined]

    previous = sorted(p for p in published.iterdir() if p.is_dir() and not p.is_symlink() and p != release)[0]
    removed_3_1 = int((pd.read_parquet(previous / "cheapest_by_quality.parquet")["blend"] == "3:1").sum())
    change_rows = {r.find_elements("tag name", "td")[0].text: [c.text for c in r.find_elements("tag name", "td")]
                   for r in browser.find_elements("xpath", "//h2[text()='What changed']/following::table[1]//tr")  # type: ignore[attr-defined]
                   if r.find_elements("tag name", "td")}
    assert change_rows["cheapest_by_quality"][1:3] == ["0", f"{removed_3_1:,}"]
    assert f"Since release {previous.name}" in text
    assert "Apache-2.0" in text and "CC-BY-4.0" in text and "Artificial Analysis" in text
    assert "How to cite" in text and f"Dataset release {release.name}" in text

    shot = tmp_path / "release-page.png"
    browser.save_screenshot(str(shot))  # type: ignore[attr-defined]
    if os.environ.get("LLMFLATION_SCREENSHOT"):
        shutil.copy(shot, os.environ["LLMFLATION_SCREENSHOT"])
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
