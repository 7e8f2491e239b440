"""The self-contained HTML run report: one file, inline CSS, JS and SVG, nothing fetched."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
import jinja2.bccache
from markupsafe import Markup

import kedro_run_report
from kedro_run_report.diagram.ns_summary import add_namespace_summaries
from kedro_run_report.diagram.render import DiagramResult, render_diagram
from kedro_run_report.model import RunStatus
from kedro_run_report.report.formats import Rendered, RenderOptions
from kedro_run_report.report.json_report import escape_controls
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.report.views.page import build_view
from kedro_run_report.report.views.timeline import timeline_svg
from kedro_run_report.vocabulary import PAGE_COLOURS

TEMPLATE = "report.html.j2"
#: Bump when the Jinja environment's options change: compiled templates cached under an
#: older revision would ignore them.
_ENVIRONMENT_REVISION = 2
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
# U+2028/2029 are valid JSON but were line terminators in older JavaScript engines
_JSON_ESCAPES.update({0x2028: "\\u2028", 0x2029: "\\u2029"})
# Control characters a message may carry (NUL, BEL, ESC ...): every C0 control but tab, line
# feed and carriage return (HTML reads CR as a line break, and Windows tracebacks have CRLF),
# DEL and the C1 controls.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class HtmlReport:
    """The rendered document and one-line notices for the terminal."""

    html: str
    notices: list[str] = field(default_factory=list)


def template_dir() -> Path:
    """Where the templates are: inside the installed package, else the repository's top level."""
    package = Path(kedro_run_report.__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / TEMPLATE).is_file():
            return candidate
    raise FileNotFoundError(f"{TEMPLATE} is missing next to {package}; reinstall the package")


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs: compiling the report's template takes longer
    than rendering it. A cache that cannot be read or written is simply not used."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except Exception:  # noqa: S110 - a full or read-only disk: compile next time too
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    # Jinja's per-user directory (created private, ownership checked); the entries name our
    # version and _ENVIRONMENT_REVISION, as the environment's options (the finalizer) shape
    # the compiled code too.
    try:
        version = f"{kedro_run_report.__version__}-{_ENVIRONMENT_REVISION}"
        return _QuietBytecodeCache(pattern=f"kedro-run-report-{version}-%s.cache")
    except Exception:  # an unsafe or unwritable temporary directory
        return None


def _escaped_control(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def visible_controls(value: object) -> object:
    """A template value with its control characters shown as ``\\x1b``-style text.

    The page's finalizer: every ``{{ }}`` of the template passes through it, so no control
    character reaches the HTML raw, and a traceback in ``<pre>`` still reads as it was.
    Markup (the diagram's SVG) keeps being markup: a control character is never part of a tag.
    """
    # isprintable() first: a quick C test that clears nearly every name and label
    if isinstance(value, str) and not value.isprintable() and _CONTROLS.search(value):
        text = _CONTROLS.sub(_escaped_control, value)
        return Markup(text) if isinstance(value, Markup) else text
    return value


@lru_cache(maxsize=1)
def _environment(directory: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,  # every template here is HTML, whatever its file name ends with
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=visible_controls,
        bytecode_cache=_bytecode_cache(),
    )


def status_json(report: RunReport) -> str:
    """The run-status JSON the page embeds (``RunReport.page_dict``, compact), safe inside
    <script>.

    No control character is left raw: json.dumps escapes C0, ``escape_controls`` DEL and C1.
    """
    text = json.dumps(report.page_dict(), ensure_ascii=False, separators=(",", ":"))
    return escape_controls(text.translate(_JSON_ESCAPES))


def csp_hash(text: str) -> str:
    """The CSP source expression for an inline script or style with exactly this text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(css: str, js: str) -> str:
    """Allow only the page's own inline style and script; nothing may be fetched."""
    return (
        f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def render_html(
    run: RunStatus | RunReport,
    *,
    show_datasets: bool = True,
    title: str | None = None,
    layout_cache: Path | str | None = None,
) -> HtmlReport:
    """Render the self-contained HTML report of one run.

    ``layout_cache``: a directory for laid-out diagrams, reused while the pipeline's structure
    stays the same (``layout_cache.cache_dir(log_root)`` gives the one beside an event log);
    ``None`` lays out every time.
    """
    report = RunReport.of(run)
    status = report.status
    path = report.critical
    diagram: DiagramResult = render_diagram(
        status, show_datasets=show_datasets, critical=path.node_ids, layout_cache=layout_cache
    )
    if diagram.svg and not diagram.views:
        diagram.svg = add_namespace_summaries(diagram.svg, status)
    for part in diagram.views:  # built from escaped parts, as the top svg
        part.svg = Markup(part.svg) if part.svg else None
    timeline = timeline_svg(status, path.node_ids)
    directory = template_dir()
    css = (directory / "report.css").read_text(encoding="utf-8")
    js = (directory / "report.js").read_text(encoding="utf-8")
    view = build_view(report, diagram, title=title, version=kedro_run_report.__version__, path=path)
    comparison = view.comparison
    document = (
        _environment(str(directory))
        .get_template(TEMPLATE)
        .render(
            view=view,
            colours=PAGE_COLOURS,  # the legends' colours: the template spells none
            css=Markup(css),  # our own files, inlined byte for byte so their hashes match
            js=Markup(js),
            csp=content_security_policy(css, js),
            svg=Markup(diagram.svg) if diagram.svg else None,  # built from escaped parts
            timeline=Markup(timeline) if timeline else None,  # escaped by timeline.xml
            trend=Markup(comparison.trend_svg) if comparison and comparison.trend_svg else None,
            status_json=Markup(status_json(report)),
        )
    )
    notices = [diagram.notice] if diagram.notice and diagram.svg is None and status.nodes else []
    return HtmlReport(document, notices)


def html_reporter(report: RunReport, options: RenderOptions) -> Rendered:
    """The ``html`` format of the reporter table."""
    html = render_html(
        report, show_datasets=options.show_datasets, layout_cache=options.layout_cache
    )
    return Rendered(html.html, list(html.notices))
