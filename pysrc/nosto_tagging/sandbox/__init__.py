"""The local Nosto sandbox: demo storefront, the bundle's static files and an ``/ev1`` collector.

CPython only; ``nosto-tagging serve`` runs it.
"""

from nosto_tagging.sandbox.app import build_app
from nosto_tagging.sandbox.server import serve

__all__ = ["build_app", "serve"]
