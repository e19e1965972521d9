"""Bar charts drawn on the server as SVG (the timer's hours per day, a report's hours per week):
a view builds a `BarChart`, and `templates/core/bar_chart.html` draws it."""

from collections.abc import Sequence
from dataclasses import dataclass

PLOT_TOP, PLOT_HEIGHT, LABEL_SPACE = 12, 110, 26


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    centre: float
    label: str  # under the bar; empty for none
    value: str  # above the bar; empty for none
    title: str  # the tooltip, and what screen readers read
    highlighted: bool


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    width: int
    height: int
    baseline: int
    bars: list[Bar]

    @property
    def caption(self) -> str:
        """What screen readers read for the whole chart: every bar's title."""
        return " ".join(f"{bar.title}." for bar in self.bars)


def bar_chart(
    *,
    id: str,
    title: str,
    width: int,
    values: Sequence[float],
    labels: Sequence[str],
    titles: Sequence[str],
    shown_values: Sequence[str] | None = None,
    highlighted: Sequence[bool] | None = None,
    max_bar_width: float = 48,
    minimum_scale: float = 0,
) -> BarChart:
    """One bar per value, scaled to the largest value (or `minimum_scale`, if larger)."""
    step = width / len(values) if values else width
    bar_width = min(step * 0.8, max_bar_width)
    scale = max([*values, minimum_scale]) or 1
    baseline = PLOT_TOP + PLOT_HEIGHT
    bars = []
    for index, value in enumerate(values):
        height = round(PLOT_HEIGHT * value / scale, 1)
        x = round(index * step + (step - bar_width) / 2, 1)
        bars.append(
            Bar(
                x=x,
                y=round(baseline - height, 1),
                width=round(bar_width, 1),
                height=height,
                centre=round(x + bar_width / 2, 1),
                label=labels[index],
                value=shown_values[index] if shown_values else "",
                title=titles[index],
                highlighted=bool(highlighted and highlighted[index]),
            )
        )
    return BarChart(id, title, width, baseline + LABEL_SPACE, baseline, bars)
