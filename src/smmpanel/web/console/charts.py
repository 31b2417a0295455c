"""Server-rendered SVG charts (no chart library, no script): the dashboard's 30-day revenue/profit bars.
The SVG is built from numbers only (no user text), and Jinja escapes nothing of it because it is Markup."""

from __future__ import annotations

from markupsafe import Markup

from smmpanel.money import format_units
from smmpanel.orders.rollups import DAY, Totals

WIDTH, HEIGHT, PAD = 600, 180, 24


def revenue_profit(days: list[tuple[int, Totals]]) -> Markup:
    """Two bars a day (revenue, profit; a loss hangs below the axis), with each day's exact values as a title."""
    import time

    top = max([t.revenue for _, t in days] + [t.profit for _, t in days] + [1])
    bottom = min([t.profit for _, t in days] + [t.revenue for _, t in days] + [0])
    span = top - bottom or 1
    inner = HEIGHT - 2 * PAD
    zero = PAD + inner * top / span
    slot = (WIDTH - 2 * PAD) / max(len(days), 1)
    bar = max(slot / 2 - 1, 1)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="Revenue and profit, last 30 days"'
             ' xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{PAD}" y1="{zero:.1f}" x2="{WIDTH - PAD}" y2="{zero:.1f}" class="axis"/>']
    for i, (day, totals) in enumerate(days):
        label = time.strftime("%Y-%m-%d", time.gmtime(day * DAY))
        for j, (kind, value) in enumerate((("revenue", totals.revenue), ("profit", totals.profit))):
            height = abs(value) * inner / span
            y = zero - height if value >= 0 else zero
            x = PAD + i * slot + j * bar
            parts.append(f'<rect class="{kind}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}">'
                         f'<title>{label} {kind} {format_units(value)}</title></rect>')
    first = time.strftime("%b %d", time.gmtime(days[0][0] * DAY)) if days else ""
    last = time.strftime("%b %d", time.gmtime(days[-1][0] * DAY)) if days else ""
    parts.append(f'<text x="{PAD}" y="{HEIGHT - 6}" class="tick">{first}</text>')
    parts.append(f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" class="tick" text-anchor="end">{last}</text>')
    parts.append(f'<text x="{PAD}" y="{PAD - 8}" class="tick">{format_units(top)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
