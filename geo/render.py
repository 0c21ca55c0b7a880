"""Stage 5 of the pipeline: render a :class:`~geo.spec.MapSpec` to one HTML page.

folium builds the page and the Leaflet map; the atlas adds one element that
carries the map's data as JSON and the script that draws it. Design points:

- Geometry once per page: every theme restyles the same district polygons in
  the browser instead of embedding the geometry once per layer.
- Offline: Leaflet's JS and CSS (from the XStatic-Leaflet package) and the
  atlas script are inlined; no request leaves the page unless a tile basemap
  is chosen.
- Safe: data reaches the page only as JSON (``tojson``, which escapes ``<``,
  ``>``, ``&`` and ``'``) and the script puts it into the DOM as text. Rendered
  template output is never fed back through Jinja (branca's default would
  re-parse it as a template).
- Deterministic: element ids are numbered, JSON keys sorted, coordinates
  rounded, so the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import folium
import jinja2
import xyzservices
from branca.element import Element, Figure, MacroElement
from markupsafe import Markup

from .model import FactBase
from .payload import JSON_OPTIONS, PageGeometry, format_value, page_json, page_payload
from .spec import IndexSpec, MapSpec

__all__ = ["ASSETS", "ENV", "render_index", "render_map"]

#: Jinja environment of the atlas templates; autoescaping on for everything.
ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("geo", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
ENV.policies["json.dumps_kwargs"] = JSON_OPTIONS


class _Raw(Element):
    """Already-rendered text, added to the page verbatim (never re-templated)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class TemplateElement(MacroElement):
    """A MacroElement whose header/html/script macros come from an autoescaping template."""

    template_name = ""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        module = ENV.get_template(self.template_name).module
        for part in ("header", "html", "script"):
            macro = getattr(module, part, None)
            if macro is not None:
                getattr(figure, part).add_child(_Raw(str(macro(self, kwargs))), name=self.get_name())

    def add_child(self, child: Element, name: str | None = None, index: int | None = None) -> TemplateElement:
        # A leaf: its template writes everything it shows, so children would never be rendered.
        raise TypeError(f"{type(self).__name__} takes no child elements (got {type(child).__name__})")


class AtlasLayers(TemplateElement):
    """The atlas on a folium map: data, styles, panels and the drawing script."""

    template_name = "atlas.html.j2"

    def __init__(self, payload_json: str) -> None:
        super().__init__()
        self._name = "AtlasLayers"
        self.payload_json = Markup(payload_json)  # HTML-safe JSON text, from geo.payload.page_json
        self.leaflet_css = Markup(_leaflet_css())
        self.leaflet_js = Markup(_asset_text("leaflet_js"))
        self.atlas_css = Markup(_asset_text("atlas_css"))
        self.atlas_js = Markup(_asset_text("atlas_js"))


class AtlasMap(folium.Map):
    """A folium Map that loads nothing from a CDN: assets come inline from AtlasLayers."""

    default_js: ClassVar[list[tuple[str, str]]] = []
    default_css: ClassVar[list[tuple[str, str]]] = []


#: Every file of geo/templates/ that the pages inline, by asset name. The atlas
#: script is its parts joined in this order: core.js opens the TongliaoAtlas
#: namespace, each later part adds to it, init.js starts them (see core.js).
ASSETS: dict[str, tuple[str, ...]] = {
    "atlas_css": ("atlas.css", "access.css", "small.css", "print.css"),
    "atlas_js": tuple(
        f"js/{part}.js"
        for part in (
            "core",
            "gcj",
            "dom",
            "csv",
            "content",
            "popup",
            "polygons",
            "symbols",
            "labels",
            "sites",
            "title",
            "search",
            "view",
            "themes",
            "legend",
            "city",
            "layers",
            "table",
            "profile",
            "tools",
            "hash",
            "tiles",
            "keyboard",
            "small",
            "print",
            "png",
            "declutter",  # last: it places what the others drew on a theme change
            "init",
        )
    ),
}


@cache
def _asset_text(name: str) -> str:
    if name == "leaflet_js":
        text = _leaflet_dir().joinpath("leaflet.js").read_text(encoding="utf-8")
        text = re.sub(r"\n//# sourceMappingURL=.*$", "", text)  # no request for a .map file
    else:
        folder = resources.files("geo").joinpath("templates")
        text = "\n".join(
            folder.joinpath(*file.split("/")).read_text(encoding="utf-8").rstrip("\n") + "\n"
            for file in ASSETS[name]
        )
    # Inlined into <script>/<style>: a closing tag inside would end the element early.
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        raise RuntimeError(f"asset {name} contains a closing tag and cannot be inlined")
    return text


def _leaflet_dir() -> Path:
    from xstatic.pkg import leaflet

    return Path(leaflet.BASE_DIR)


@cache
def _leaflet_css() -> str:
    """Leaflet's CSS with its images inlined as data: URIs (no request for images/*.png)."""
    folder = _leaflet_dir()
    css = folder.joinpath("leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = folder.joinpath(match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)


# ---------------------------------------------------------------- pages


def _stable_names(html: str, elements: list[Element]) -> str:
    """The page with folium's random element names replaced by numbered ones.

    branca names each element ``<kind>_<32 random hex digits>``; the page's
    script refers to the map and tile layers by those names. Numbering them in
    the order given (the page's tree order) makes two builds byte-identical.
    """
    for number, element in enumerate(elements):
        name = element.get_name()
        html = html.replace(name, f"{name.rsplit('_', 1)[0]}_{number:02d}")
    return html


def render_map(spec: MapSpec, base: FactBase, geometry: PageGeometry, links: dict[str, str]) -> str:
    """Render one map page to HTML.

    Parameters
    ----------
    spec : MapSpec
        What to draw.
    base : FactBase
        Sources and metric labels.
    geometry : PageGeometry
        From :func:`page_geometry`, shared by every page of a build.
    links : dict
        File name of every page by area code, plus ``index``.

    Returns
    -------
    str
        A complete HTML document.
    """
    payload = page_payload(spec, base, geometry, links)
    figure = Figure(title=f"{spec.area.name_zh} · 专题地图 | {spec.area.name_en} thematic atlas")
    fmap = AtlasMap(
        location=geometry.center,
        zoom_start=7,
        tiles=None,
        control_scale=False,  # the atlas adds a metric-only scale bar
        zoom_control=True,
        zoom_snap=0.25,
    )
    figure.add_child(fmap)
    names = {}
    for basemap in spec.basemaps:
        if not basemap.url:
            continue
        # Given as a TileProvider, folium takes the URL as is instead of first
        # searching xyzservices' whole catalogue for a provider of that name.
        provider = xyzservices.TileProvider(
            name=basemap.key,
            url=basemap.url,
            attribution=basemap.attribution,
            max_zoom=basemap.max_zoom,
            subdomains=basemap.subdomains,
        )
        tile = folium.TileLayer(
            tiles=provider,
            attr=basemap.attribution,
            name=basemap.label_zh,
            max_zoom=basemap.max_zoom,
            subdomains=basemap.subdomains,
            show=False,
            control=False,
        )
        fmap.add_child(tile)
        names[basemap.key] = tile
    layers = AtlasLayers(page_json(payload, geometry))
    fmap.add_child(layers)
    layers.tile_vars = {key: tile.get_name() for key, tile in sorted(names.items())}
    return _page_head(_stable_names(figure.render(), [figure, fmap, *names.values(), layers]))


#: folium's viewport forbids pinch-zoom (maximum-scale=1, user-scalable=no); phones need it.
_FOLIUM_VIEWPORT = re.compile(
    r'<meta name="viewport" content="width=device-width,\s*'
    r'initial-scale=1\.0, maximum-scale=1\.0, user-scalable=no" />'
)
_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1" />'


def _page_head(html: str) -> str:
    """The page's language and a viewport that lets people zoom, in place of branca's and folium's."""
    html, langs = re.subn(r"^<!DOCTYPE html>\n<html>", '<!DOCTYPE html>\n<html lang="zh-CN">', html, count=1)
    html, viewports = _FOLIUM_VIEWPORT.subn(_VIEWPORT, html)
    if (langs, viewports) != (1, 1):  # a new folium or branca writes its head differently
        raise RuntimeError(f"page head not as expected (html tag {langs}, viewport {viewports})")
    return html


def render_index(index: IndexSpec) -> str:
    """Render the index page: every map with a one-line summary per area.

    Parameters
    ----------
    index : IndexSpec
        From :func:`geo.spec.index_spec`.
    """
    summaries = {
        entry.area.code: [
            f"{metric.label_zh} {format_value(cell.value, metric.decimals)} {metric.unit}"
            + (f"（{cell.year}）" if cell.year else "")
            for metric, cell in entry.figures
        ]
        for entry in index.entries
    }
    return ENV.get_template("index.html.j2").render(
        index=index,
        summaries=summaries,
        css=Markup(_asset_text("atlas_css")),
    )
