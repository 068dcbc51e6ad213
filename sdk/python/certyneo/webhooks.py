"""Checking the signature of a webhook delivery (Standard Webhooks)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Dict, Mapping, Union


class WebhookVerificationError(Exception):
    """A delivery that does not verify: missing headers, stale timestamp, or no matching signature."""


def verify_webhook(secret: str, headers: Mapping[str, Any], raw_body: Union[bytes, str], tolerance_seconds: int = 300) -> Dict[str, Any]:
    """Checks a delivery's ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``
    (``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``) under the endpoint's ``whsec_…``
    secret and returns the parsed event; raises WebhookVerificationError otherwise. Decides as
    the ``standardwebhooks`` package does. Pass the body exactly as received (Flask:
    ``request.get_data()``, Django: ``request.body``) and the request's headers."""
    h = {str(k).lower(): v for k, v in headers.items()}
    msg_id, timestamp, signatures = h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("Missing required headers")
    try:
        ts = int(timestamp)
    except ValueError:
        raise WebhookVerificationError("Invalid Signature Headers") from None
    now = int(time.time())
    if now - ts > tolerance_seconds:
        raise WebhookVerificationError("Message timestamp too old")
    if ts > now + tolerance_seconds:
        raise WebhookVerificationError("Message timestamp too new")
    try:
        key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("The secret is not a whsec_<base64> secret") from None
    body = raw_body.encode("utf-8") if isinstance(raw_body, str) else bytes(raw_body)
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{ts}.".encode("utf-8") + body, hashlib.sha256).digest()).decode("ascii")
    for entry in signatures.split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode("ascii", "replace"), expected.encode("ascii")):
            return json.loads(body)
    raise WebhookVerificationError("No matching signature found")
