"""The flywheel as a Graphviz DOT picture: six steps round a wheel, Customer
Obsession in the hub, the current step highlighted and the spin in the title.

Pure string building (no graphviz package needed): `st.graphviz_chart` renders
DOT in the browser. Nodes are pinned (neato, `pos="x,y!"`) so the wheel keeps
its shape whatever the step.
"""

from __future__ import annotations

import math

from .types import LOOP, Step

HIGHLIGHT = "#f97316"  # orange: where you are
HIGHLIGHT_TEXT = "#ffffff"
NODE_FILL = "#eef2ff"
NODE_LINE = "#6366f1"
HUB_FILL = "#ecfdf5"
HUB_LINE = "#10b981"
RADIUS = 1.55

_SHORT = {
    Step.DELIVER_RESULTS: "Deliver\\nResults",
    Step.EARN_TRUST: "Earn\\nTrust",
    Step.OWNERSHIP_THINK_BIG: "Ownership +\\nThink Big",
    Step.INVENT_AND_SIMPLIFY: "Invent and\\nSimplify",
    Step.BIAS_FOR_ACTION: "Bias for\\nAction",
    Step.ARE_RIGHT_A_LOT: "Are Right\\na Lot",
    Step.CUSTOMER_OBSESSION: "Customer\\nObsession",
}


def _esc(text: str) -> str:
    return text.replace('"', '\\"')


def flywheel_dot(step: Step | str | None = None, spin: int = 1) -> str:
    """DOT source for the wheel. `step` (a Step or its value) is highlighted."""
    current = Step(step) if step else None
    spin = max(1, int(spin or 1))
    where = f"you are at {current.label}" if current else "step not set yet"
    lines = [
        "digraph flywheel {",
        '  graph [layout=neato, bgcolor="transparent", pad="0.2", outputorder="edgesfirst", '
        f'labelloc="t", fontname="Helvetica-Bold", fontsize=18, label="Spin {spin}", tooltip="Spin {spin}: {_esc(where)}"];',
        f'  node [shape=circle, fixedsize=true, width=1.0, style="filled", fillcolor="{NODE_FILL}", '
        f'color="{NODE_LINE}", fontname="Helvetica", fontsize=12, penwidth=1.2];',
        f'  edge [color="{NODE_LINE}", arrowsize=0.7, penwidth=1.2, fontname="Helvetica", fontsize=8];',
    ]
    for order, s in enumerate(LOOP):
        angle = math.pi / 2 - order * 2 * math.pi / len(LOOP)  # clockwise from the top
        x, y = RADIUS * math.cos(angle), RADIUS * math.sin(angle)
        attrs = [f'label="{order + 1}\\n{_SHORT[s]}"', f'pos="{x:.2f},{y:.2f}!"', f'tooltip="{_esc(s.label)}"']
        if s is current:
            attrs += [f'fillcolor="{HIGHLIGHT}"', f'color="{HIGHLIGHT}"', f'fontcolor="{HIGHLIGHT_TEXT}"',
                      "penwidth=3", 'fontname="Helvetica-Bold"']
        lines.append(f'  {s.value} [{", ".join(attrs)}];')
    hub = Step.CUSTOMER_OBSESSION
    hub_attrs = [f'label="{_SHORT[hub]}\\n(accelerant)"', 'pos="0,0!"', "width=1.1", "fontsize=11",
                 f'fillcolor="{HUB_FILL}"', f'color="{HUB_LINE}"', f'tooltip="{hub.label}"']
    if current is hub:
        hub_attrs += [f'fillcolor="{HIGHLIGHT}"', f'color="{HIGHLIGHT}"', f'fontcolor="{HIGHLIGHT_TEXT}"',
                      "penwidth=3"]
    lines.append(f'  {hub.value} [{", ".join(hub_attrs)}];')
    for a, b in zip(LOOP, LOOP[1:] + LOOP[:1]):
        extra = f' [label="spin {spin + 1}", fontcolor="{NODE_LINE}"]' if b is LOOP[0] else ""
        lines.append(f"  {a.value} -> {b.value}{extra};")
    lines.append(f'  {hub.value} -> {Step.OWNERSHIP_THINK_BIG.value} [style=dashed, color="{HUB_LINE}"];')
    lines.append("}")
    return "\n".join(lines)
