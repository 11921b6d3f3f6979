"""Model backends behind one small interface (see base.Backend)."""

from .base import Backend, GenerationRequest, GenerationResult

__all__ = ["Backend", "GenerationRequest", "GenerationResult"]
