from __future__ import annotations

import urllib.parse
from typing import Any, Dict, Optional

from .._transport import Body, Transport
from ..types import SigningAuthCodeSent, SigningReassigned, SigningSession


def signing_token(token_or_sign_url: str) -> str:
    """A recipient's signing token, from the token itself or from the whole ``signUrl``."""
    if "/" not in token_or_sign_url:
        return token_or_sign_url
    return [p for p in urllib.parse.urlparse(token_or_sign_url).path.split("/") if p][-1]


class Signing:
    """The signing ceremony without a browser, authorised by the recipient's token (no API key
    is sent): for embedded signing in your own page, and for tests of an integration."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def _call(self, method: str, route: str, token: str, body: Optional[Dict[str, Any]] = None, **path: str) -> Any:
        return self._http.json(method, route, path={"token": signing_token(token), **path}, body=Body.json(body) if body is not None else None, anonymous=True)

    def get(self, token_or_sign_url: str) -> SigningSession:
        """Opens the session (records that the recipient viewed the envelope)."""
        return self._call("GET", "/api/v1/signing/{token}", token_or_sign_url)

    def request_code(self, token_or_sign_url: str) -> SigningAuthCodeSent:
        """With signer authentication (email_otp, sms_otp): sends the recipient a one-time code, valid 10 minutes."""
        return self._call("POST", "/api/v1/signing/{token}/auth/code", token_or_sign_url)

    def authenticate(self, token_or_sign_url: str, code: str) -> SigningSession:
        """Proves who the recipient is with the one-time code or the access code; the answer is the
        session. The server also sets a cookie the other signing routes need (a browser keeps it)."""
        return self._call("POST", "/api/v1/signing/{token}/auth", token_or_sign_url, {"code": code})

    def reassign(self, token_or_sign_url: str, name: str, email: str, reason: str) -> SigningReassigned:
        """Hands this signer's turn to someone else (the envelope must have ``allowReassign``); this link stops working."""
        return self._call("POST", "/api/v1/signing/{token}/reassign", token_or_sign_url, {"name": name, "email": email, "reason": reason})

    def document(self, token_or_sign_url: str, document_id: str) -> bytes:
        """One of the envelope's PDFs as the recipient sees it."""
        path = {"token": signing_token(token_or_sign_url), "documentId": document_id}
        return self._http.bytes("GET", "/api/v1/signing/{token}/documents/{documentId}", path=path, anonymous=True)

    def signature_image(self, token_or_sign_url: str, recipient_id_or_image_url: str) -> bytes:
        """The PNG an earlier signer drew: by that signer's recipient id, or by a stamp's whole ``imageUrl``."""
        recipient_id = [part for part in recipient_id_or_image_url.split("/") if part][-1]
        path = {"token": signing_token(token_or_sign_url), "recipientId": recipient_id}
        return self._http.bytes("GET", "/api/v1/signing/{token}/signatures/{recipientId}", path=path, anonymous=True)

    def complete(self, token_or_sign_url: str, consent: bool, signature: Optional[Dict[str, str]] = None, fields: Optional[Dict[str, Any]] = None) -> SigningSession:
        """Signs (or approves): ``complete(sign_url, consent=True, signature={"type": "typed", "value": "Ana Silva"})``."""
        body: Dict[str, Any] = {"consent": consent}
        if signature is not None:
            body["signature"] = signature
        if fields is not None:
            body["fields"] = fields
        return self._call("POST", "/api/v1/signing/{token}/complete", token_or_sign_url, body)

    def decline(self, token_or_sign_url: str, reason: str) -> SigningSession:
        return self._call("POST", "/api/v1/signing/{token}/decline", token_or_sign_url, {"reason": reason})

    def signed_document(self, token_or_sign_url: str) -> bytes:
        """The sealed PDF, once the envelope is completed."""
        return self._http.bytes("GET", "/api/v1/signing/{token}/signed-document", path={"token": signing_token(token_or_sign_url)}, anonymous=True)
