"""The one exception of the SDK."""

from __future__ import annotations

from typing import List, Optional

from .types import Problem


class CertyneoError(Exception):
    """Every failure of a call: an RFC 9457 problem from the server, or no answer at all.

    ``status`` is the HTTP status (0 when no response arrived); ``code`` the server's stable
    code (``validation_failed``, ``not_found``...) or ``network_error`` / ``timeout``;
    ``request_id`` what the server logged; ``errors`` the refused fields by JSON pointer;
    ``problem`` the whole problem+json body.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        request_id: Optional[str] = None,
        problem: Optional[Problem] = None,
        retry_after_seconds: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.problem = problem
        self.errors: List[dict] = list((problem or {}).get("errors") or [])
        self.retry_after_seconds = retry_after_seconds

    def __str__(self) -> str:
        where = f" (request {self.request_id})" if self.request_id else ""
        return f"{self.status} {self.code}: {self.message}{where}"
