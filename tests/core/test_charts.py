from core.charts import PLOT_HEIGHT, bar_chart


def chart(values, **options):
    count = len(values)
    return bar_chart(
        id="c",
        title="Hours",
        width=300,
        values=values,
        labels=[f"L{n}" for n in range(count)],
        titles=[f"T{n}" for n in range(count)],
        **options,
    )


def test_bars_are_scaled_to_the_largest_value_and_stand_on_the_baseline():
    result = chart([1, 4, 2])
    heights = [bar.height for bar in result.bars]
    assert heights == [PLOT_HEIGHT / 4, PLOT_HEIGHT, PLOT_HEIGHT / 2]
    assert all(bar.y + bar.height == result.baseline for bar in result.bars)
    assert [bar.label for bar in result.bars] == ["L0", "L1", "L2"]


def test_a_minimum_scale_keeps_small_values_small_and_bars_keep_their_width_limit():
    result = chart([30, 0], minimum_scale=60, max_bar_width=20)
    assert [bar.height for bar in result.bars] == [PLOT_HEIGHT / 2, 0]
    assert all(bar.width == 20 for bar in result.bars)
    assert result.bars[1].x - result.bars[0].x == 150  # one step of 300 / 2


def test_values_shown_and_highlights_follow_their_bars():
    result = chart([1, 2], shown_values=["1.0", ""], highlighted=[False, True])
    assert [(bar.value, bar.highlighted) for bar in result.bars] == [("1.0", False), ("", True)]


def test_no_values_no_bars():
    assert chart([]).bars == []


def test_coordinates_are_drawn_with_a_decimal_point_in_every_language():
    import re

    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("de"):  # German writes 1,5 for one and a half
        svg = render_to_string("core/bar_chart.html", {"chart": chart([1, 3, 7])})
    coordinates = re.findall(r' (?:x|y|width|height)="([^"]+)"', svg)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates)
    assert any("." in value for value in coordinates)


def test_each_bar_is_drawn_with_its_escaped_title_value_label_and_highlight():
    import re

    from django.template.loader import render_to_string

    result = bar_chart(
        id="c",
        title="Hours",
        width=200,
        values=[1, 2],
        labels=["<Mon>", ""],
        titles=['"a" & b', "Tue: 2 h"],
        shown_values=["", "2:00"],
        highlighted=[False, True],
    )
    svg = render_to_string("core/bar_chart.html", {"chart": result})
    groups = re.findall(r"<g>.*?</g>", svg, re.S)
    assert len(groups) == 2
    first, second = groups
    assert "<title>&quot;a&quot; &amp; b</title>" in first
    assert "&lt;Mon&gt;" in first and "<Mon>" not in svg
    assert 'fill="#94a3b8"' in first and "2:00" not in first  # no value shown for it
    assert 'fill="#059669"' in second and ">2:00</text>" in second
    assert 'dy="18"' not in second  # an empty label draws no text
    bar = result.bars[1]
    assert f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}"' in second
    assert '<figcaption class="sr-only">&quot;a&quot; &amp; b. Tue: 2 h.</figcaption>' in svg
