"""The schematic map: bundled shapes match the warehouse's current areas, and render safely."""

import csv
from pathlib import Path

from orchestration.analyst.coroner_map import (
    EMPTY_FILL,
    fill_for,
    load_shapes,
    path_bounds,
    render_map,
    view_box,
)

CURRENT_AREAS = Path(__file__).resolve().parents[3] / "dbt_project/seeds/coroner_areas_current.csv"


def test_every_current_coroner_area_has_a_shape_and_every_shape_a_current_area():
    with CURRENT_AREAS.open(encoding="utf-8") as handle:
        areas = {row["coroner_area"] for row in csv.DictReader(handle)}
    shaped = {shape.area for shape in load_shapes()}
    assert len(areas) == 77
    assert shaped == areas


def test_path_bounds_follow_relative_moves_lines_and_packed_arc_flags():
    assert path_bounds("M10 20 l5 5 h10 v-30 z") == (10, -5, 25, 25)
    # "a2 2 0 014 0": flags 0 and 1 are packed against the end point.
    assert path_bounds("m0 0 a2 2 0 014 0") == (0, 0, 4, 0)
    assert path_bounds("M1.5.5L3-1") == (1.5, -1, 3, 0.5)


def test_view_box_contains_every_area():
    min_x, min_y, width, height = (float(v) for v in view_box(load_shapes()).split())
    for shape in load_shapes():
        left, top, right, bottom = path_bounds(shape.path)
        assert min_x <= left and right <= min_x + width
        assert min_y <= top and bottom <= min_y + height


def test_areas_without_reports_stay_pale_and_the_busiest_is_darkest():
    assert fill_for(0, 50) == EMPTY_FILL
    assert fill_for(50, 50) != fill_for(5, 50) != EMPTY_FILL


def test_rendered_map_shades_by_count_and_escapes_text():
    svg = render_map({"Essex": 12}, label="reports <in scope>")
    assert 'data-area="Essex" data-count="12"' in svg
    assert "<title>Essex: 12 reports &lt;in scope&gt;</title>" in svg
    assert "<in scope>" not in svg
