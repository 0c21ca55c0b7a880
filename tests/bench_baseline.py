"""The benchmark's baseline: the city map built "the obvious way" with folium.

One ``folium.GeoJson`` per theme, each carrying the full-resolution district
geometry read from ``boundaries/districts.geojson``, coloured by the same
headline values and classes the atlas uses (read through geo's own
``geo.pipeline.load_joined`` and ``geo.spec.theme_layers``, so the data is
identical), with a tooltip per district and a folium ``LayerControl`` whose
radio buttons switch themes. folium's default page loads Leaflet, jQuery,
Bootstrap and Font Awesome from CDNs; nothing is inlined.

Not a test (the name does not match ``test_*.py``): ``tests/benchmark.py`` runs
it as a subprocess and times it::

    python tests/bench_baseline.py --data data --boundaries boundaries --out baseline.html

Besides the HTML it writes ``<out>.layers.json``: the layer-control label of
each theme key, so the benchmark can click the same theme in both maps.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # geo is run from the checkout, installed or not

NO_DATA_COLOR = "#cccccc"


def build(data_dir: Path, boundaries_dir: Path, out: Path) -> dict[str, str]:
    """Write the baseline city map to `out`; return {theme key: layer label}."""
    import folium
    import geopandas

    from geo.classify import classify
    from geo.pipeline import load_joined
    from geo.spec import theme_layers

    joined, _ = load_joined(data_dir, boundaries_dir)
    layers = theme_layers(joined)
    # Full resolution, straight from the committed file: no simplification.
    districts = geopandas.read_file(boundaries_dir / "districts.geojson")
    districts["code"] = districts["code"].astype(str)

    minx, miny, maxx, maxy = districts.total_bounds
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=7, tiles=None)
    labels = {}
    for n, layer in enumerate(layers):
        metric = layer.metric
        frame = districts[["code", "name_zh", "geometry"]].copy()
        cells = [layer.cells.get(code) for code in frame["code"]]
        frame["value"] = [
            f"{c.value:,.{metric.decimals}f} {metric.unit}" if c is not None else "暂无公开数据"
            for c in cells
        ]
        frame["year"] = [(c.year or "") if c is not None else "" for c in cells]
        # The obvious way shades every headline, amount or rate: classify it where the atlas draws circles.
        values = [c.value for c in cells if c is not None]
        classes = layer.classes or classify(values, metric.scheme, metric.k, layer.theme.palette)
        colors = {
            code: (classes.color_of(c.value) if c is not None else None) or NO_DATA_COLOR
            for code, c in zip(frame["code"], cells, strict=True)
        }
        label = f"{layer.theme.label_zh} {layer.theme.label_en}"
        labels[layer.theme.key] = label
        folium.GeoJson(
            frame,
            name=label,
            overlay=False,  # base layers: one theme at a time, radio buttons like the atlas
            show=n == 0,
            style_function=lambda f, colors=colors: {
                "fillColor": colors[f["properties"]["code"]],
                "color": "#555",
                "weight": 1,
                "fillOpacity": 0.85,
            },
            highlight_function=lambda f: {"weight": 3},
            tooltip=folium.GeoJsonTooltip(
                fields=["name_zh", "value", "year"],
                aliases=["地区", metric.label_zh, "年份"],
            ),
        ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    out.parent.mkdir(parents=True, exist_ok=True)
    fmap.save(str(out))
    return labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--boundaries", type=Path, default=ROOT / "boundaries")
    parser.add_argument("--out", type=Path, required=True, help="HTML file to write")
    args = parser.parse_args(argv)
    labels = build(args.data, args.boundaries, args.out)
    sidecar = args.out.with_name(args.out.name + ".layers.json")
    sidecar.write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
