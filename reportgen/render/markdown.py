"""GitHub-flavoured Markdown report: escaped by default, trimmed stepwise to a size limit.

Every `{{ value }}` in the Markdown template goes through `escape_inline` unless a filter marked
it `MdSafe`; untrusted text therefore cannot open a link, an image, raw HTML, a table cell, a
code fence, an @mention or a #reference, whatever the template author forgets. Text the view
marks `Trusted` (from the criteria file or the command line) is escaped the same way except
that its issue references (`#88`, `GH-88`, `owner/repo#88`, GitLab's `!12`) stay references.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from typing import TYPE_CHECKING, Any

import jinja2

from reportgen.render.view import CiView, EvidenceView, ReportView, TestsView, Trusted, for_print
from reportgen.text import clean_text

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext

# Characters with inline meaning in GFM (emphasis, code, links, images, raw HTML, tables,
# strikethrough, entities, math). A backslash makes each literal.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&!$])")
# The same for trusted text, except a `!` before a digit: it cannot open an image (`![`) and
# GitLab's `!12` merge-request reference should read as written.
_TRUSTED_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$]|!(?!\d))")
# Things GitHub and GitLab turn into links or notifications even when every special character
# is escaped (they are found in the rendered text, after the backslashes are gone): @mentions
# (and e-mail addresses), #refs, GH-refs, GitLab !refs, bare URLs and www. names. A zero-width
# joiner breaks the pattern while the text reads the same.
_ZWJ = "\u200d"
_AUTOLINK = re.compile(
    r"(@|#)(?=\w)|(?<=:)(//)|\b(www)(\.)|\b(GH)(-)(?=\d)|(\\!)(?=\d)", re.IGNORECASE
)
# Trusted text keeps its references; @mentions and bare URLs are still broken (a report that
# pings people on every run, or links where its author did not write a link, helps no one).
_AUTOLINK_TRUSTED = re.compile(r"(@)(?=\w)|(?<=:)(//)|\b(www)(\.)", re.IGNORECASE)

ICONS = {
    "pass": "✅",
    "fail": "❌",
    "insufficient": "⚠️",
    "waived": "➖",
    "ready": "✅",
    "not-ready": "❌",
}


class MdSafe(str):
    """Markdown that is already safe to emit as is (produced by our own filters)."""

    __slots__ = ()


def escape_inline(value: object) -> str:
    """Text as inert inline Markdown on one line; `Trusted` text keeps its issue references."""
    if value is None:
        return ""
    if isinstance(value, MdSafe):
        return value
    if isinstance(value, Trusted):
        return escape_trusted(value)
    text = " ".join(clean_text(str(value)).split())
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _AUTOLINK.sub(_break_autolink, text)


def escape_trusted(value: object) -> str:
    """Text from the criteria file or the command line as inline Markdown on one line: inert
    like `escape_inline`, but `#88`, `GH-88`, `owner/repo#88` and `!12` stay references."""
    text = " ".join(clean_text(str(value)).split())
    text = _TRUSTED_SPECIAL.sub(r"\\\1", text)
    return _AUTOLINK_TRUSTED.sub(_break_autolink, text)


def _break_autolink(match: re.Match[str]) -> str:
    """A zero-width joiner inside the matched reference, mention or URL."""
    groups = [g for g in match.groups() if g is not None]
    if len(groups) == 1 and groups[0] == "//":
        return _ZWJ + groups[0]
    return groups[0] + _ZWJ + "".join(groups[1:])


def evidence_ref(ref: EvidenceView) -> MdSafe:
    """An evidence reference (`results/metrics.json#ws_connect_time`): the path and names are
    untrusted and escaped, the `#` between them is ours and stays as it is."""
    if not ref.metrics:
        return MdSafe(escape_inline(ref.text))
    where = escape_inline(("baseline " if ref.baseline else "") + ref.path)
    # A metric named like a number would make `#42` an issue reference: broken as untrusted.
    return MdSafe(
        ", ".join(
            f"{where}#{_ZWJ if m[:1].isdigit() else ''}{escape_inline(m)}" for m in ref.metrics
        )
    )


def code_block(value: object, info: str = "text") -> MdSafe:
    """Untrusted text as a fenced code block whose fence no line of the text can close."""
    text = clean_text("" if value is None else str(value)).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return MdSafe(f"{fence}{info}\n{text}\n{fence}")


def url_link(label: object, url: str | None) -> MdSafe:
    """`label` linked to `url`, or as text when there is no URL. The view only sets URLs that
    came from the CI environment and are plain https addresses (`reportgen.ci.context.link_url`),
    which can stand in a link target as they are."""
    if not url:
        return MdSafe(escape_inline(label))
    if label == url:
        return MdSafe(f"<{url}>")
    return MdSafe(f"[{escape_inline(label)}]({url})")


def ci_line(ci: CiView) -> MdSafe:
    """The CI context on one header line: system and job, run, commit, branch, PR."""
    parts = [escape_inline(ci.system) + (f" job {escape_inline(ci.job)}" if ci.job else "")]
    if ci.run_url:
        parts.append(url_link("run", ci.run_url))
    elif ci.run_text:
        parts.append("run " + escape_inline(ci.run_text))
    if ci.commit_short:
        parts.append("commit " + escape_inline(ci.commit_short))
    if ci.branch:
        parts.append("branch " + escape_inline(ci.branch))
    if ci.pr:
        parts.append(f"{ci.pr_label} {url_link(ci.pr, ci.pr_url)}")
    return MdSafe(" · ".join(parts))


def _finalize(value: Any) -> str:
    return escape_inline(value)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reportgen", "templates"),
        autoescape=False,  # HTML escaping is wrong for Markdown; `finalize` escapes instead
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["block"] = code_block
    env.filters["icon"] = lambda key: MdSafe(ICONS.get(str(key), ""))
    env.filters["count"] = lambda n: MdSafe(f"{int(n):,}")
    env.filters["anchor"] = _anchor
    env.filters["ref"] = evidence_ref
    env.filters["ci_line"] = ci_line
    env.globals["url"] = url_link
    env.globals["link"] = _link
    return env


def _anchor(anchor: str) -> MdSafe:
    """An HTML id to link to; view anchors are `[a-z0-9_-]` only, checked again here."""
    if not re.fullmatch(r"[a-z0-9_-]+", anchor):
        return MdSafe("")
    return MdSafe(f'<a id="{anchor}"></a>')


def _link(label: str, anchor: str) -> MdSafe:
    """A link to a criterion's one explanation (GitHub resolves `#id` to its user-content id)."""
    if not re.fullmatch(r"[a-z0-9_-]+", anchor):
        return MdSafe(escape_inline(label))
    return MdSafe(f"[{escape_inline(label)}](#{anchor})")


def _render(view: ReportView, level: int) -> str:
    template = _environment().get_template("report.md.j2")
    text = template.render(v=view, level=level)
    # Collapse the blank-line runs left by skipped sections: stable, tidy output.
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def _compact(view: ReportView) -> ReportView:
    """Level 1: details collapsed (no output excerpts, short lists)."""
    t = view.tests
    if t is not None:
        t = dataclasses.replace(
            t,
            failures=tuple(
                dataclasses.replace(f, output=None, output_cut=None) for f in t.failures
            ),
            suites=t.suites[:10],
            suites_more=t.suites_more + max(0, len(t.suites) - 10),
            flaky_tests=(),
            flaky_more=t.flaky,
            skipped_tests=(),
            skipped_more=t.skipped,
            slowest=(),
        )
    provenance = dataclasses.replace(
        view.provenance,
        inputs=tuple(
            dataclasses.replace(i, warnings=(), warnings_more=i.warnings_more + len(i.warnings))
            for i in view.provenance.inputs
        ),
    )
    return dataclasses.replace(view, tests=t, provenance=provenance)


def _failures_only(view: ReportView) -> ReportView:
    """Level 2: the verdict, criteria and the failure list; nothing else."""
    view = _compact(view)
    t: TestsView | None = view.tests
    if t is not None:
        t = dataclasses.replace(t, suites=(), suites_more=0)
    return dataclasses.replace(view, tests=t, impacts=(), charts=())


_LEVEL_NOTES = {
    1: "captured output and long lists were left out",
    2: "only the verdict, criteria and failures are shown",
    3: "the report was cut short",
}


def _note(max_chars: int, level: int, hint: str | None) -> str:
    where = (
        f"The full report is {escape_inline(hint)}."
        if hint
        else "The full report is in the HTML, PDF or JSON output of the same run."
    )
    return (
        f"\n---\n\n> ✂️ **Trimmed** to fit {max_chars:,} characters: "
        f"{_LEVEL_NOTES[level]}. {where}\n"
    )


def _cut(text: str, budget: int) -> str:
    """The longest prefix of whole lines within `budget`, with an open fence closed."""
    out: list[str] = []
    used = 0
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\n")
        new_fence = fence
        match = re.match(r"^(`{3,})", stripped)
        if match:
            if fence is None:
                new_fence = match.group(1)
            elif stripped.strip() == fence:
                new_fence = None
        # Keep room to close the fence this line leaves open.
        closer = len(new_fence) + 1 if new_fence else 0
        if used + len(line) + closer > budget:
            break
        out.append(line)
        used += len(line)
        fence = new_fence
    if fence:
        out.append(fence + "\n")
    return "".join(out)


def render_markdown(
    view: ReportView, *, max_chars: int | None = None, full_report_hint: str | None = None
) -> str:
    """The report as GitHub-flavoured Markdown, at most `max_chars` characters when given.

    Over the limit, details are collapsed first, then only failures are kept, then the text is
    cut at a line boundary (closing any open code fence); a trimmed report always ends with a
    visible note saying so and where the full report is.
    """
    view = for_print(view)
    full = _render(view, 0)
    if max_chars is None or len(full) <= max_chars:
        return full
    for level, shrink in ((1, _compact), (2, _failures_only)):
        text = _render(shrink(view), level)
        note = _note(max_chars, level, full_report_hint)
        if len(text) + len(note) <= max_chars:
            return text + note
    note = _note(max_chars, 3, full_report_hint)
    if len(note) >= max_chars:
        # No room for any report: the note alone, cut to the limit.
        return note[:max_chars]
    return _cut(text, max_chars - len(note)) + note


def render(context: RenderContext) -> str:
    """The Markdown output of the outputs registry."""
    return render_markdown(
        context.view, max_chars=context.max_chars, full_report_hint=context.full_report_hint
    )
