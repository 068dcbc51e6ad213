"""Every item of a list endpoint, one page at a time."""

from __future__ import annotations

from typing import Any, Callable, Iterator, List, Optional

from .errors import CertyneoError


def _unknown_cursor(e: CertyneoError) -> bool:
    """The server refused ``startingAfter``: the item it names was deleted meanwhile (a draft envelope is)."""
    return e.code == "validation_failed" and any(f.get("pointer") == "/startingAfter" for f in e.errors)


def paginate(page: Callable[[Optional[str]], Any], starting_after: Optional[str] = None) -> Iterator[Any]:
    """Yields each item, fetching the next page (``startingAfter`` = the last id) only when the loop
    gets there. When the last item seen has been deleted meanwhile, the next page starts after the
    page's previous item instead, skipping what was yielded."""
    after = starting_after
    yielded: List[str] = []
    while True:
        i = len(yielded) - 1
        while True:
            try:
                result = page(after)
                break
            except CertyneoError as e:
                if i < 1 or not _unknown_cursor(e):
                    raise
                i -= 1
                after = yielded[i]
        data = result["data"]
        seen = set(yielded)
        yield from (item for item in data if item["id"] not in seen)
        if not result["hasMore"] or not data:
            return
        yielded = [item["id"] for item in data]
        after = yielded[-1]
