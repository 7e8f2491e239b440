"""The set of tags in a piece of HTML (what a renderer let through)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)


def tags_of(html: str) -> set[str]:
    """Every tag name that opens somewhere in ``html``."""
    parser = _Tags()
    parser.feed(html)
    return parser.tags
