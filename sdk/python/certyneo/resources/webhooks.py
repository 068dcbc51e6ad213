from __future__ import annotations

from typing import Any, Iterator, Optional

from .._fields import api_fields
from .._pagination import paginate
from .._transport import Body, Transport
from ..types import CreatedWebhook, DeletedWebhook, Webhook, WebhookDelivery


class Webhooks:
    """Endpoints that receive signed event notifications."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(self, *, idempotency_key: Optional[str] = None, **fields: Any) -> CreatedWebhook:
        """Registers an endpoint: ``create(url=..., events=[...], description=...)``; the answer's ``secret`` is shown this once."""
        return self._http.json("POST", "/api/v1/webhooks", body=Body.json(api_fields(fields)), idempotency_key=idempotency_key)

    def get(self, id: str) -> Webhook:
        return self._http.json("GET", "/api/v1/webhooks/{id}", path={"id": id})

    def update(self, id: str, **fields: Any) -> Webhook:
        """Changes an endpoint; ``enabled=True`` re-enables a disabled one."""
        return self._http.json("PATCH", "/api/v1/webhooks/{id}", path={"id": id}, body=Body.json(api_fields(fields)))

    def list(self, limit: Optional[int] = None, starting_after: Optional[str] = None) -> Iterator[Webhook]:
        return paginate(lambda after: self._http.json("GET", "/api/v1/webhooks", query={"limit": limit, "startingAfter": after}), starting_after)

    def delete(self, id: str) -> DeletedWebhook:
        return self._http.json("DELETE", "/api/v1/webhooks/{id}", path={"id": id})

    def deliveries(self, id: str, status: Optional[str] = None, limit: Optional[int] = None, starting_after: Optional[str] = None) -> Iterator[WebhookDelivery]:
        """An endpoint's recent deliveries with their attempts, newest first."""
        return paginate(
            lambda after: self._http.json("GET", "/api/v1/webhooks/{id}/deliveries", path={"id": id}, query={"status": status, "limit": limit, "startingAfter": after}),
            starting_after,
        )

    def resend(self, id: str, delivery_id: str) -> WebhookDelivery:
        """Sends a delivery's event again now."""
        return self._http.json("POST", "/api/v1/webhooks/{id}/deliveries/{deliveryId}/resend", path={"id": id, "deliveryId": delivery_id})
