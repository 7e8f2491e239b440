"""A stand-in for the Graphviz layout program (see the ``stub_layout`` fixture in conftest)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: What the stub lays every diagram out as (the HTML goldens hold it).
STUB_SVG = '<svg width="200pt" height="100pt" viewBox="0 0 200 100"><g id="stub"></g></svg>'


@dataclass
class LayoutStub:
    """Replaces ``layout_svg``: records the DOT sources it is given, returns ``svg``, or
    raises ``error`` when one is set."""

    svg: str = STUB_SVG
    error: Exception | None = None
    program: str | None = "dot"  # what ``find_layout_program`` finds
    sources: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return len(self.sources)

    def __call__(self, source: str, program: str, timeout: float | None = None) -> str:
        self.sources.append(source)
        self.programs.append(program)
        if self.error is not None:
            raise self.error
        return self.svg
