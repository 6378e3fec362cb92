"""Render stage: turn a run and its evaluation into Markdown, HTML, PDF, JSON and JUnit."""

from __future__ import annotations

#: Characters a GitHub comment holds (65,536) less room for the trimmed note's margin.
GITHUB_COMMENT_CHARS = 65_000
