"""The Scrapy project imports the library, never the other way round: no import cycle between the two."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import importlib, pkgutil, sys
import llmflation
for module in pkgutil.walk_packages(llmflation.__path__, "llmflation."):
    importlib.import_module(module.name)
print(sorted(m for m in sys.modules if m.split(".")[0] == "llmflation_scrapers"))
"""


def test_no_library_module_imports_the_scrapy_project() -> None:
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
