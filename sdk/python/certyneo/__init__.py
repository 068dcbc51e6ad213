"""Client for the Certyneo e-signature API. Standard library only; Python 3.9+.

    from certyneo import Certyneo
    client = Certyneo(api_key="sk_test_…", base_url="https://sign.example.com")
"""

from . import types
from ._client import Certyneo
from ._files import FileSource
from ._version import __version__
from .errors import CertyneoError
from .resources.envelopes import is_settled
from .resources.signing import signing_token
from .webhooks import WebhookVerificationError, verify_webhook

__all__ = [
    "Certyneo",
    "CertyneoError",
    "FileSource",
    "WebhookVerificationError",
    "__version__",
    "is_settled",
    "signing_token",
    "types",
    "verify_webhook",
]
