"""Regular expressions compiled on first use rather than at import.

CPython compiles a regular expression in Python code, and a large character class costs
hundreds of microseconds. Most of reportgen's patterns serve one format or one rare input
(TAP console output, LCOV files, HTML pages, Windows paths): compiled at import, they were a
visible share of `reportgen verdict`'s start-up for inputs that never need them. A pattern
declared with `lazy` is compiled by its first caller and kept for the process.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import AnyStr


def lazy_regex(pattern: AnyStr, flags: int = 0) -> Callable[[], re.Pattern[AnyStr]]:
    """A function returning `re.compile(pattern, flags)`, compiled at its first call.

    Callers in a loop take the pattern once before it (`match = _pattern().match`).
    """

    @cache
    def compiled() -> re.Pattern[AnyStr]:
        return re.compile(pattern, flags)

    return compiled
