from __future__ import annotations

from typing import Any, List, Optional

from .._fields import api_fields
from .._transport import Body, Transport
from ..types import ApiKey, CreatedApiKey


class Keys:
    """API keys of the calling key's environment."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(self, name: str, *, idempotency_key: Optional[str] = None, **fields: Any) -> CreatedApiKey:
        """Creates a key: ``create("HRIS", environment="live", scopes=["envelopes"])``; the answer's
        ``key`` is the secret, shown this once."""
        return self._http.json("POST", "/api/v1/keys", body=Body.json({"name": name, **api_fields(fields)}), idempotency_key=idempotency_key)

    def list(self) -> List[ApiKey]:
        """Every key (the list is not paged)."""
        return self._http.json("GET", "/api/v1/keys")["data"]

    def revoke(self, id: str) -> ApiKey:
        """Revokes a key: its very next request is refused."""
        return self._http.json("DELETE", "/api/v1/keys/{id}", path={"id": id})
