"""The reporter registry: every output format, its default file name and its render function.

Modelled on coverage.py's ``report_core.Reporter``: a reporter is a name, a default file
name and one function ``(RunReport, RenderOptions) -> Rendered``. :data:`REPORTERS` is the
only list of formats; the CLI's ``--format`` choices, ``--serve``, the benchmarks and the
tests all read it. To add a format, write the module with its render function and add one
line to the table. Each render function is named by its module in this package and imported
on first use, because Kedro imports our CLI (and so this module) when ``kedro run`` starts:
jinja2 and graphviz must not be imported then.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kedro_run_report.errors import RunReportError

if TYPE_CHECKING:
    from kedro_run_report.report.run_report import RunReport


@dataclass
class Rendered:
    """A rendered report and the one-line notices it produced for the terminal."""

    text: str
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RenderOptions:
    """What the caller may choose about a rendering; a format ignores what it does not use."""

    show_datasets: bool = True  # draw datasets in the diagram, not only nodes
    layout_cache: Path | str | None = None  # see ``render_html``; None lays out every time


class RenderFunction(Protocol):
    """The one function a format provides."""

    def __call__(self, report: RunReport, options: RenderOptions) -> Rendered:
        """Render ``report`` in this format."""
        ...


@dataclass(frozen=True)
class Reporter:
    """One output format: its name, default file name, media type and render function."""

    name: str
    filename: str  # written to <project>/.viz/ or a directory given with -o
    media_type: str  # what --serve sends it as
    function: str  # "module:attribute" in this package, imported on first use

    def load(self) -> RenderFunction:
        """Import and return the render function."""
        module, _, attribute = self.function.partition(":")
        found: RenderFunction = getattr(
            importlib.import_module(f".{module}", __package__), attribute
        )
        return found

    def render(self, report: RunReport, options: RenderOptions | None = None) -> Rendered:
        """Render ``report`` in this format."""
        return self.load()(report, options or RenderOptions())


REPORTERS: dict[str, Reporter] = {
    r.name: r
    for r in (
        Reporter("html", "run-report.html", "text/html", "html:html_reporter"),
        Reporter("json", "run-status.json", "application/json", "json_report:json_reporter"),
        Reporter("junit", "run-report.junit.xml", "application/xml", "junit:junit_reporter"),
        Reporter("markdown", "run-report.md", "text/markdown", "markdown:markdown_reporter"),
        Reporter("email", "run-report.email.html", "text/html", "email:email_reporter"),
        Reporter("otlp", "run-trace.otlp.json", "application/json", "otlp:otlp_reporter"),
    )
}
FORMATS = tuple(REPORTERS)  # the --format choices, in the order of the table
DEFAULT_FORMAT = "html"
DEFAULT_FILENAMES = {name: r.filename for name, r in REPORTERS.items()}


def reporter(fmt: str) -> Reporter:
    """The reporter of ``fmt``; an unknown name is a :class:`RunReportError`."""
    try:
        return REPORTERS[fmt]
    except KeyError:
        raise RunReportError(
            f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}."
        ) from None


def render(
    report: RunReport,
    fmt: str,
    *,
    show_datasets: bool = True,
    layout_cache: Path | str | None = None,
) -> Rendered:
    """Render ``report`` in one of :data:`FORMATS` (``layout_cache``: see render_html)."""
    options = RenderOptions(show_datasets=show_datasets, layout_cache=layout_cache)
    return reporter(fmt).render(report, options)
