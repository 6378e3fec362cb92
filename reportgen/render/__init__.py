"""Render stage: turn a run and its evaluation into Markdown, HTML, PDF, JSON and JUnit."""

from __future__ import annotations
