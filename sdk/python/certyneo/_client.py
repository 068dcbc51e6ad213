from __future__ import annotations

from typing import Any, Dict, Optional

from ._files import FileSource, pdf_form, read_source
from ._transport import Transport
from .resources.batches import Batches
from .resources.documents import Documents
from .resources.envelopes import Envelopes
from .resources.keys import Keys
from .resources.signing import Signing
from .resources.templates import Templates
from .resources.webhooks import Webhooks
from .types import Verification


class Certyneo:
    """A client of one Certyneo server with one API key.

    ``api_key`` and ``base_url`` default to the CERTYNEO_API_KEY and CERTYNEO_BASE_URL
    environment variables (then http://localhost:3000); ``timeout`` is per attempt, in seconds;
    ``max_retries`` counts retries after a 429, a 5xx or a network error.
    """

    def __init__(self, api_key: Optional[str] = None, base_url: Optional[str] = None, timeout: float = 60.0, max_retries: int = 2) -> None:
        self._http = Transport(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)
        self.documents = Documents(self._http)
        self.envelopes = Envelopes(self._http)
        self.templates = Templates(self._http)
        self.batches = Batches(self._http)
        self.webhooks = Webhooks(self._http)
        self.keys = Keys(self._http)
        self.signing = Signing(self._http)

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def verify(self, source: FileSource) -> Verification:
        """Checks the signatures of a PDF (any PDF, not only this server's)."""
        data, filename = read_source(source, None)
        return self._http.json("POST", "/api/v1/verify", body=pdf_form(data, filename))

    def health(self) -> Dict[str, Any]:
        """The server's liveness and version (no key needed)."""
        return self._http.json("GET", "/healthz", anonymous=True)
