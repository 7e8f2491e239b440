"""A small HTML summary of a run for the body of an e-mail; the full report goes attached.

Mail clients run no JavaScript, show no inline SVG, and Gmail and Outlook drop or rewrite
``<style>`` blocks, so this uses nested tables and inline ``style=`` attributes only (with
``bgcolor`` beside background colours for old Outlook). Gmail clips bodies above about
102 KB: lists are cut, with a note, to stay well below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import jinja2

from kedro_run_report.analysis import Unusual, memory_use
from kedro_run_report.formatting import (
    format_bytes,
    format_count,
    format_duration,
    format_timestamp,
    shorten,
)
from kedro_run_report.model import FAILED, INTERRUPTED, NOT_RUN, SUCCESS, RunStatus
from kedro_run_report.report.formats import REPORTERS, Rendered
from kedro_run_report.report.summary import (
    MARKERS,
    ResumeAdvice,
    WhatChanged,
    headline,
    memory_raise,
    problems,
    resume_advice,
    run_facts,
    slowest_nodes,
    what_changed,
)
from kedro_run_report.report.unusual_words import HEADING, nothing_unusual, unusual_lines
from kedro_run_report.vocabulary import GRID, MUTED, STATUS_STYLE, STATUS_WORD, TEXT

if TYPE_CHECKING:
    from kedro_run_report.report.formats import RenderOptions
    from kedro_run_report.report.run_report import RunReport

MAX_PROBLEMS = 20
MAX_SLOWEST = 5
MAX_UNUSUAL = 10
MESSAGE_LINES = 4
MAX_CHARS = 240  # of a name or one message line: a repr can be megabytes on one line
# NUL and other controls are not allowed in HTML; some mail transports also reject them
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
FONT = "font-family:Arial,Helvetica,sans-serif;"
MONO = "font-family:Consolas,Menlo,Courier New,monospace;font-size:12px;"

TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">\
<title>{{ title }}</title></head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" \
bgcolor="#f3f4f6" style="background-color:#f3f4f6;"><tr><td align="center" \
style="padding:16px 8px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" \
bgcolor="#ffffff" style="width:640px;max-width:100%;background-color:#ffffff;\
border:1px solid {{ grid }};{{ font }}font-size:14px;line-height:20px;color:{{ text }};">
<tr><td bgcolor="{{ colour }}" style="background-color:{{ colour }};color:#ffffff;\
padding:16px 20px;font-size:18px;line-height:24px;font-weight:bold;">\
{{ marker }} &ndash; {{ headline }}</td></tr>
<tr><td style="padding:12px 20px 4px 20px;color:{{ muted }};">{{ project }} &middot; \
{{ ended_label }} {{ ended }}</td></tr>
<tr><td style="padding:8px 20px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" \
style="{{ font }}font-size:13px;line-height:18px;">
{% for label, value in facts %}<tr><td width="130" valign="top" \
style="padding:2px 8px 2px 0;color:{{ muted }};">{{ label }}</td>\
<td style="padding:2px 0;word-break:break-all;">{{ value }}</td></tr>
{% endfor %}</table></td></tr>
<tr><td style="padding:8px 20px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" \
style="{{ font }}border-collapse:collapse;"><tr>
{% for label, value, colour in counts %}<td align="center" valign="top" \
style="padding:8px 4px;border:1px solid #e5e7eb;"><div style="font-size:18px;\
line-height:24px;font-weight:bold;color:{{ colour }};">{{ value }}</div>\
<div style="font-size:12px;line-height:16px;color:{{ muted }};">{{ label }}</div></td>
{% endfor %}</tr></table></td></tr>
{% if resume %}<tr><td style="padding:12px 20px 4px 20px;font-size:16px;\
font-weight:bold;">Resume</td></tr>
<tr><td style="padding:4px 20px;">{{ resume.sentence }}
<div style="{{ mono }}background-color:#f3f4f6;padding:6px 8px;margin-top:4px;\
word-break:break-all;">{{ resume.command }}</div>
{% for note in resume.notes %}<div style="color:{{ muted }};font-size:13px;">{{ note }}</div>
{% endfor %}</td></tr>
{% endif %}{% if changed %}<tr><td style="padding:12px 20px 4px 20px;font-size:16px;\
font-weight:bold;">{{ changed.heading }}</td></tr>
<tr><td style="padding:4px 20px;">{% for line in changed.lines %}\
<div style="word-break:break-word;">{{ line }}</div>
{% endfor %}</td></tr>
{% endif %}{% if problems %}<tr><td style="padding:12px 20px 4px 20px;font-size:16px;\
font-weight:bold;">Failures</td></tr>
{% for p in problems %}<tr><td style="padding:6px 20px;">\
<div style="font-weight:bold;word-break:break-all;">{{ p.kind }} {{ p.name }}\
{% if p.context %} <span style="font-weight:normal;color:{{ muted }};">({{ p.context }})</span>\
{% endif %}</div>
<div style="{{ mono }}color:#8a1c1c;background-color:#fdecec;padding:6px 8px;\
word-break:break-all;">{% for line in p.lines %}{{ line }}{% if not loop.last %}<br>\
{% endif %}{% endfor %}</div></td></tr>
{% endfor %}{% if more_problems %}<tr><td style="padding:4px 20px;color:{{ muted }};">\
&hellip; {{ more_problems }} more failures not shown</td></tr>
{% endif %}{% endif %}
{% if unusual or calm %}<tr><td style="padding:12px 20px 4px 20px;font-size:16px;\
font-weight:bold;">{{ unusual_heading }}</td></tr>
<tr><td style="padding:4px 20px;">{{ calm }}
{% for u in unusual %}<div style="padding:3px 0;border-bottom:1px solid #e5e7eb;\
word-break:break-all;">{{ u.subject }} <b>{{ u.name }}</b>: {{ u.measure }} {{ u.now }}, \
<span style="color:{{ warn }};">{{ u.verdict }}</span> \
<span style="color:{{ muted }};">(usual {{ u.usual }})</span></div>
{% endfor %}{% if more_unusual %}<div style="color:{{ muted }};">&hellip; {{ more_unusual }} \
more in the report</div>{% endif %}</td></tr>
{% endif %}{% if slowest %}<tr><td style="padding:12px 20px 4px 20px;font-size:16px;\
font-weight:bold;">Slowest nodes</td></tr>
<tr><td style="padding:4px 20px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" \
style="{{ font }}font-size:13px;line-height:18px;border-collapse:collapse;">
{% for name, word, total, memory in slowest %}<tr><td style="padding:3px 8px 3px 0;\
border-bottom:1px solid #e5e7eb;word-break:break-all;">{{ name }}</td>\
<td width="80" style="padding:3px 8px;border-bottom:1px solid #e5e7eb;color:{{ muted }};">\
{{ word }}</td>{% if memory %}<td width="110" align="right" style="padding:3px 8px;\
border-bottom:1px solid #e5e7eb;color:{{ muted }};" title="raise of peak memory">{{ memory }}\
</td>{% endif %}<td width="70" align="right" style="padding:3px 0;\
border-bottom:1px solid #e5e7eb;">{{ total }}</td></tr>
{% endfor %}</table></td></tr>
{% endif %}<tr><td style="padding:16px 20px;color:{{ muted }};font-size:13px;">\
The full report, with the workflow diagram and every traceback, is attached as \
{{ attachment }}.</td></tr>
</table></td></tr></table>
</body>
</html>
"""


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(TEMPLATE)


@dataclass(frozen=True)
class _EmailProblem:
    kind: str
    name: str
    context: str
    lines: list[str]


def _short(text: str, limit: int = MAX_CHARS) -> str:
    """One line of at most ``limit`` characters, without control characters."""
    text = " ".join(_CONTROL.sub("\ufffd", text).split())
    return shorten(text, limit)


def _lines(message: str, error_type: str | None) -> list[str]:
    """The first lines of an error message, the exception type in front."""
    lines = [line.rstrip() for line in message.splitlines() if line.strip()] or [""]
    if error_type and not lines[0].startswith(error_type):
        lines[0] = f"{error_type}: {lines[0]}"
    shown = [_short(line) for line in lines[:MESSAGE_LINES]]
    if len(lines) > MESSAGE_LINES:
        shown.append(f"… {len(lines) - MESSAGE_LINES:,} more lines")
    return shown


def _resume(status: RunStatus) -> ResumeAdvice | None:
    """The resume advice with text safe for a mail body; the command is never shortened."""
    advice = resume_advice(status)
    if advice is None:
        return None
    command = _CONTROL.sub("\ufffd", advice.command)
    return ResumeAdvice(command, advice.sentence, [_short(note) for note in advice.notes])


@dataclass(frozen=True)
class _EmailFinding:
    subject: str
    name: str
    measure: str
    now: str
    usual: str
    verdict: str


def render_email(
    status: RunStatus,
    *,
    attachment: str = "run-report.html",
    unusual: Unusual | None = None,
    changed: WhatChanged | None = None,
) -> str:
    """A small, inline-styled HTML summary of the run, for an e-mail body; with ``unusual``,
    what stood out against the earlier runs; with ``changed``, what changed since the
    previous run."""
    p = status.pipeline
    word = p.status if p.status in MARKERS else INTERRUPTED
    s = status.summary()
    nodes, data = s["nodes"], s["datasets"]
    green, red, plain = STATUS_STYLE[SUCCESS][1], STATUS_STYLE[FAILED][1], TEXT.lower()
    succeeded = f"{format_count(nodes[SUCCESS])} / {format_count(len(status.nodes))}"
    counts = [
        ("nodes succeeded", succeeded, green if nodes[SUCCESS] else plain),
        (STATUS_WORD[FAILED], format_count(nodes[FAILED]), red if nodes[FAILED] else plain),
        (STATUS_WORD[NOT_RUN], format_count(nodes[NOT_RUN]), plain),
        ("datasets loaded", format_count(data["loaded"]), plain),
        ("saved", format_count(data["saved"]), plain),
        ("read", format_bytes(s["bytes_read"]), plain),
        ("written", format_bytes(s["bytes_written"]), plain),
    ]
    if nodes[INTERRUPTED]:
        counts.insert(3, (STATUS_WORD[INTERRUPTED], format_count(nodes[INTERRUPTED]), plain))
    found = problems(status)
    shown = [
        _EmailProblem(
            pr.kind.capitalize(),
            _short(pr.name),
            _short(pr.context),
            [STATUS_WORD[INTERRUPTED]]
            if pr.status == INTERRUPTED
            else _lines(pr.message, pr.error_type),
        )
        for pr in found[:MAX_PROBLEMS]
    ]
    memory = memory_use(status)
    slowest = [
        (
            _short(n.name),
            STATUS_WORD.get(n.status, n.status),
            format_duration(n.total_duration),
            memory_raise(memory.nodes.get(n.id)) if memory.nodes else "",
        )
        for n in slowest_nodes(status, MAX_SLOWEST)
    ]
    lines = unusual_lines(unusual)
    findings = [
        _EmailFinding(u.subject, _short(u.name), u.measure, u.now, u.usual, u.verdict)
        for u in lines[:MAX_UNUSUAL]
    ]
    skip = ("Project", "Started", "Ended")  # shown in the line under the banner
    facts = [(k, _short(v)) for k, v in run_facts(status) if k not in skip]
    ended = p.end if p.end is not None else p.last_event
    return _template().render(
        title=f"{MARKERS[word]}: {headline(status)}",
        font=FONT,
        mono=MONO,
        text=TEXT.lower(),  # the e-mail spells its colours in lower case
        muted=MUTED.lower(),
        grid=GRID.lower(),
        colour=STATUS_STYLE[word][1],
        marker=MARKERS[word],
        headline=headline(status),
        project=_short(p.project_name or p.package_name or "Kedro run"),
        ended_label="completed" if word == SUCCESS else "ended",
        ended=format_timestamp(ended),
        facts=facts,
        counts=counts,
        problems=shown,
        resume=_resume(status),
        changed=None
        if changed is None
        else WhatChanged(_short(changed.heading), [_short(line, 600) for line in changed.lines]),
        more_problems=format_count(len(found) - len(shown)) if len(found) > len(shown) else "",
        slowest=slowest,
        unusual_heading=HEADING,
        warn=STATUS_STYLE[INTERRUPTED][1].lower(),
        unusual=findings,
        calm=nothing_unusual(unusual),
        more_unusual=format_count(len(lines) - len(findings)) if len(lines) > len(findings) else "",
        attachment=attachment,
    )


def email_reporter(report: RunReport, options: RenderOptions) -> Rendered:
    """The ``email`` format of the reporter table: it names the HTML report as attached."""
    return Rendered(
        render_email(
            report.status,
            attachment=REPORTERS["html"].filename,
            unusual=report.unusual,
            changed=what_changed(report.comparison),
        )
    )
