"""Every item of a list endpoint, one page at a time."""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional


def paginate(page: Callable[[Optional[str]], Any], starting_after: Optional[str] = None) -> Iterator[Any]:
    """Yields each item, fetching the next page (``startingAfter`` = the last id) only when the loop gets there."""
    after = starting_after
    while True:
        result = page(after)
        data = result["data"]
        yield from data
        if not result["hasMore"] or not data:
            return
        after = data[-1]["id"]
