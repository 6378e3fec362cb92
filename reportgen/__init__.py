"""reportgen: evidence-based readiness verdicts and phase reports from raw results."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
