"""Read a server-rendered page's tagging in CPython the way ``web/page/tagging.js`` reads the DOM.

Sandbox tests parse the classic theme's HTML with it; the browser test checks that
``web/page/tagging.js`` in Chromium gives the same plain data for the same page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from nosto_tagging.core.tagging import MAX_DEPTH, ROOT_CLASSES

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def elements(self) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element)]

    def walk(self) -> list[Element]:
        found = []
        for child in self.elements():
            found.append(child)
            found += child.walk()
        return found


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def read_tagging(html: str) -> list[dict[str, Any]]:
    """The plain data ``web/page/tagging.js`` gives for ``html`` (see ``core/tagging.py``)."""

    def is_root(element: Element) -> bool:
        return any(name in ROOT_CLASSES for name in element.classes)

    def inside_root(element: Element) -> bool:
        parent = element.parent
        while parent is not None:
            if is_root(parent):
                return True
            parent = parent.parent
        return False

    def read(element: Element, depth: int, placement: bool) -> dict[str, Any]:
        node: dict[str, Any] = {"cls": element.attrs.get("class", "")}
        if element.attrs.get("id"):
            node["id"] = element.attrs["id"]
        if placement:
            return node
        children: list[dict[str, Any]] = []
        if depth + 1 < MAX_DEPTH:
            collect(element, depth + 1, children)
        if children:
            node["children"] = children
        else:
            node["text"] = element.text().strip()
        return node

    def collect(parent: Element, depth: int, into: list[dict[str, Any]]) -> None:
        for child in parent.elements():
            if child.attrs.get("class", "").strip():
                into.append(read(child, depth, False))
            elif depth + 1 < MAX_DEPTH:
                collect(child, depth + 1, into)

    document = parse_html(html)
    return [
        read(element, 0, "nosto_element" in element.classes)
        for element in document.walk()
        if is_root(element) and not inside_root(element)
    ]


PLATFORM_PAGES = Path(__file__).parent / "platform_pages"
# The visitor the platform pages are rendered for (a ``2c.cId`` cookie's value).
PLATFORM_VISITOR = "5f0c3a1b2d4e6f8091a2b3c4"


def platform_page(platform: str, name: str, visitor: str = PLATFORM_VISITOR) -> str:
    """The tagging part of ``tests/platform_pages/<platform>/<name>.html`` as the platform's
    module renders it for ``visitor``: ``@HCID@`` is its ``2c.cId`` checksum and
    ``@CUSTOMER@`` the logged-in customer's element of the same folder."""
    folder = PLATFORM_PAGES / platform
    html = (folder / f"{name}.html").read_text(encoding="utf-8")
    if "@CUSTOMER@" in html:
        html = html.replace("@CUSTOMER@", (folder / "customer.html").read_text(encoding="utf-8"))
    return html.replace("@HCID@", platform_hcid(visitor))


def platform_hcid(visitor: str) -> str:
    """``hcid`` as the modules compute it: the SHA-256 (hex) of the ``2c.cId`` cookie."""
    return hashlib.sha256(visitor.encode("utf-8")).hexdigest()
