"""sitemap.xml files (sitemaps.org 0.9): page URLs from a urlset, nested sitemaps from a sitemapindex."""

from __future__ import annotations

from .fetch import FetchError, Page

_NAMES = ("urlset", "sitemapindex")


def is_sitemap(page: Page) -> bool:
    """Whether the document's root element is a sitemap's (any namespace), without parsing all of it."""
    head = page.body[:2048].decode("utf-8", "replace")
    return any(f"<{name}" in head for name in _NAMES) and "<rss" not in head and "<feed" not in head


def read_sitemap(page: Page) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) listed in a sitemap document."""
    from lxml import etree

    try:
        root = etree.fromstring(page.body, parser=etree.XMLParser(resolve_entities=False, no_network=True,
                                                                  huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise FetchError(f"malformed sitemap XML: {exc}") from None
    kind = etree.QName(root).localname
    if kind not in _NAMES:
        raise FetchError(f"not a sitemap (root element <{kind}>)")
    locs = [(el.text or "").strip() for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "loc"]
    locs = [loc for loc in locs if loc]
    return (locs, []) if kind == "urlset" else ([], locs)
