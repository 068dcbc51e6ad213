from __future__ import annotations

from .._transport import Transport
from ..types import Batch


class Batches:
    """Bulk sends (``templates.bulk_send``) and their progress."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def get(self, id: str) -> Batch:
        """The batch's progress: ``status`` (queued, running, completed), counts, each row's envelope or problems."""
        return self._http.json("GET", "/api/v1/batches/{id}", path={"id": id})
