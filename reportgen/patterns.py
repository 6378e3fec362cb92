"""The patterns of `select`, `require` and `metric`: only `*`, `**` and `?` are wildcards.

`*` and `**` match any run of characters (`/` and `::` included), `?` one character; every
other character stands for itself, `[` and `]` too, so `test_flow[flow3]` and a metric named
`HP [success]` match exactly (a shell glob would read them as character classes). A pattern
that matches nothing is reported with the closest real names, found with difflib.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

#: Characters that make a pattern a wildcard pattern rather than one exact name.
WILDCARD = re.compile(r"[*?]")
#: Candidates compared when suggesting names (difflib is quadratic in the name length).
_MAX_CANDIDATES = 20_000


def is_glob(pattern: str) -> bool:
    """Whether `pattern` holds a wildcard."""
    return bool(WILDCARD.search(pattern))


def translate(pattern: str) -> str:
    """The regular expression (anchored at both ends) that `pattern` stands for."""
    parts: list[str] = []
    for token in re.split(r"(\*+|\?)", pattern):
        if not token:
            continue
        if token[0] == "*":
            parts.append(".*")
        elif token == "?":
            parts.append(".")
        else:
            parts.append(re.escape(token))
    return "(?s:" + "".join(parts) + r")\Z"


def compile_patterns(patterns: Sequence[str]) -> re.Pattern[str]:
    """One regular expression matching what any of `patterns` matches (use `.match`)."""
    return re.compile("|".join(f"(?:{translate(p)})" for p in patterns))


def matches(pattern: str, name: str) -> bool:
    """Whether `pattern` matches all of `name`."""
    return re.match(translate(pattern), name) is not None


def closest(pattern: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to `n` real names most like `pattern` (its wildcards left out), best first."""
    import difflib  # only a pattern that matches nothing gets here

    literal = WILDCARD.sub("", pattern)
    pool: list[str] = []
    for name in candidates:
        pool.append(name)
        if len(pool) >= _MAX_CANDIDATES:
            break
    found = difflib.get_close_matches(literal, pool, n=n, cutoff=0.5)
    if not found and literal:
        # A short pattern against long ids: rank by the longest common stretch instead.
        key = literal.lower()
        scored = [
            (difflib.SequenceMatcher(None, key, name.lower()).find_longest_match().size, name)
            for name in pool
        ]
        best = sorted((s for s in scored if s[0] >= min(4, len(key))), key=lambda s: -s[0])
        found = [name for _size, name in best[:n]]
    return found


def did_you_mean(pattern: str, candidates: Iterable[str]) -> str:
    """`; closest: 'a', 'b'` for a pattern that matched nothing, or "" when none is close."""
    found = closest(pattern, candidates)
    if not found:
        return ""
    return "; closest: " + ", ".join(repr(name) for name in found)
