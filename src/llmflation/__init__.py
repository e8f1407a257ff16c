"""llmflation: how fast the price of LLM intelligence falls, measured every night."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__version__ = "0.1.0"


def load(table: str, release: str = "latest", base: str | None = None, **options: Any) -> pd.DataFrame:
    """One published table as a DataFrame, from a folder, HTTP or S3: see :func:`llmflation.loader.load`.

    Imported on first use, so the command line does not pay for it.
    """
    from llmflation.loader import load as _load

    return _load(table, release=release, base=base, **options)


def prices_as_of(prices: pd.DataFrame, when: object) -> pd.DataFrame:
    """The rows of a ``prices`` table each listing showed as of ``when``: see :func:`llmflation.price_runs.prices_as_of`.

    Imported on first use, as :func:`load` is.
    """
    from llmflation.price_runs import prices_as_of as _prices_as_of

    return _prices_as_of(prices, when)
