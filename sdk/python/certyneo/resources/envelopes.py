from __future__ import annotations

import time
from typing import Any, Iterator, Optional

from .._fields import api_fields
from .._pagination import paginate
from .._transport import Body, Transport
from ..errors import CertyneoError
from ..types import Envelope, PurgedEnvelope

_ENDED = {"COMPLETED", "DECLINED", "VOIDED", "EXPIRED"}


def is_settled(envelope: Envelope) -> bool:
    """Nothing more will happen: the envelope ended, and a completed one is sealed (or failed to be)."""
    return envelope["status"] in _ENDED and not (envelope["status"] == "COMPLETED" and envelope.get("sealStatus") == "PENDING")


class Envelopes:
    """Documents sent for signature.

    Keyword arguments are the API's fields in snake_case (``document_ids=``, ``signing_order=``);
    nested objects such as recipients are written as in the API (``{"routingOrder": 2}``).
    """

    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(self, *, idempotency_key: Optional[str] = None, **fields: Any) -> Envelope:
        """Creates a DRAFT: ``create(subject=..., document_ids=[...], recipients=[{"email": ..., "name": ...}])``,
        or from a template: ``create(template_id=..., recipients=[{"roleName": ..., "email": ..., "name": ...}])``."""
        return self._http.json("POST", "/api/v1/envelopes", body=Body.json(api_fields(fields)), idempotency_key=idempotency_key)

    def get(self, id: str) -> Envelope:
        return self._http.json("GET", "/api/v1/envelopes/{id}", path={"id": id})

    def update(self, id: str, **fields: Any) -> Envelope:
        """Changes a DRAFT: only the fields given change; None clears."""
        return self._http.json("PATCH", "/api/v1/envelopes/{id}", path={"id": id}, body=Body.json(api_fields(fields)))

    def send(self, id: str, idempotency_key: Optional[str] = None) -> Envelope:
        """Sends the invitations; the answer carries each recipient's ``signUrl``."""
        return self._http.json("POST", "/api/v1/envelopes/{id}/send", path={"id": id}, idempotency_key=idempotency_key)

    def void(self, id: str, reason: Optional[str] = None) -> Envelope:
        """Voids a sent envelope: its links stop working and the recipients are told, with the reason."""
        return self._http.json("DELETE", "/api/v1/envelopes/{id}", path={"id": id}, query={"reason": reason})

    def delete(self, id: str) -> Envelope:
        """Deletes a DRAFT (the answer has ``deleted: True``); on a sent envelope this voids it."""
        return self._http.json("DELETE", "/api/v1/envelopes/{id}", path={"id": id})

    def purge(self, id: str) -> PurgedEnvelope:
        """Erases an ended envelope (GDPR erasure): the answer is its tombstone; it answers 410 from then on."""
        return self._http.json("DELETE", "/api/v1/envelopes/{id}", path={"id": id}, query={"purge": "true"})

    def remind(self, id: str, recipient_id: str) -> Envelope:
        """Reminds a recipient who still has to act, now (their ``delivery`` starts afresh)."""
        return self._http.json("POST", "/api/v1/envelopes/{id}/recipients/{recipientId}/remind", path={"id": id, "recipientId": recipient_id})

    def correct_recipient(self, id: str, recipient_id: str, **fields: Any) -> Envelope:
        """Corrects a recipient of a SENT envelope (``email=``, ``name=``, ``phone=``): they get a new
        signing link and, if already invited, the invitation again."""
        path = {"id": id, "recipientId": recipient_id}
        return self._http.json("PATCH", "/api/v1/envelopes/{id}/recipients/{recipientId}", path=path, body=Body.json(api_fields(fields)))

    def list(self, status: Optional[str] = None, limit: Optional[int] = None, starting_after: Optional[str] = None) -> Iterator[Envelope]:
        """Every envelope (optionally of one status), newest first, page after page as the loop asks for more."""
        return paginate(lambda after: self._http.json("GET", "/api/v1/envelopes", query={"status": status, "limit": limit, "startingAfter": after}), starting_after)

    def signed_document(self, id: str, document_id: Optional[str] = None) -> bytes:
        """The sealed PDF of a COMPLETED envelope (all documents), or of one of its documents."""
        return self._http.bytes("GET", "/api/v1/envelopes/{id}/signed-document", path={"id": id}, query={"documentId": document_id})

    def audit_trail(self, id: str) -> bytes:
        """The sealed audit-trail PDF."""
        return self._http.bytes("GET", "/api/v1/envelopes/{id}/audit-trail", path={"id": id})

    def wait_for_completion(self, id: str, timeout: float = 600.0) -> Envelope:
        """Polls, waiting longer between polls (1 s growing to 15 s), until the envelope has ended:
        COMPLETED and sealed (then ``signed_document`` is ready), or DECLINED, VOIDED or EXPIRED.
        Returns the envelope (check its ``status``); raises CertyneoError(code="timeout") after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        delay = 1.0
        while True:
            envelope = self.get(id)
            if is_settled(envelope):
                return envelope
            left = deadline - time.monotonic()
            if left <= 0:
                seal = f" (seal {envelope['sealStatus']})" if envelope.get("sealStatus") else ""
                raise CertyneoError(0, "timeout", f"Envelope {id} is still {envelope['status']}{seal} after {timeout} s")
            time.sleep(min(delay, left))
            delay = min(15.0, delay * 1.5)
