"""The bars of a core.charts.BarChart as SVG. A bar is some fifteen template nodes; drawn here it
is one format string, and a week's chart is on every timer page and in every stop's answer."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

BAR = '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}"/>{}{}</g>'
VALUE = '<text x="{}" y="{}" dy="-3" text-anchor="middle" font-size="9" fill="#334155">{}</text>'
LABEL = '<text x="{}" y="{}" dy="18" text-anchor="middle" font-size="11" fill="{}">{}</text>'


@register.simple_tag
def bar_shapes(chart) -> SafeString:
    """Every text is escaped; the numbers are written as Python writes them, never localised (a
    decimal comma would break the drawing)."""
    return mark_safe(
        "\n".join(
            BAR.format(
                escape(bar.title),
                bar.x,
                bar.y,
                bar.width,
                bar.height,
                "#059669" if bar.highlighted else "#94a3b8",
                VALUE.format(bar.centre, bar.y, escape(bar.value)) if bar.value else "",
                LABEL.format(
                    bar.centre,
                    chart.baseline,
                    "#047857" if bar.highlighted else "#475569",
                    escape(bar.label),
                )
                if bar.label
                else "",
            )
            for bar in chart.bars
        )
    )
