"""The dashboard (``make dashboard``): Mesa's SolaraViz over a district and its standalone twin.

Both twins are built from the same scenario, seed and replication, so they see the same demand
(common random numbers) and step side by side; the page shows each one's profit per firm week by
week, their paired difference as it accumulates, and the members' share of the firms (the
formation path when firms choose, ``district.membership: choice``). Sliders and switches set the
assumptions that matter most; after moving one, Reset builds both twins anew with it (Mesa's
convention: a run is never changed half way).

Run with ``solara run model/dashboard.py`` (``make dashboard``); ``DISTRICT_SIM_PILOT`` picks the
scenario (a packaged name or a file, default ``woodworking_kaluga``), and the sliders start at
that file's values. Offline: Solara's assets come from the ``solara-assets`` package and the
charts are drawn by Matplotlib on the server, so the page needs no network.
"""

from __future__ import annotations

import inspect
import math
import os
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import solara
from matplotlib.ticker import FuncFormatter
from mesa.visualization import SolaraViz, make_plot_component

from .api import PilotModel
from .scenario_io import load_experiment, pilot_names
from .sim.params import MECHANISMS

PILOT = os.environ.get("DISTRICT_SIM_PILOT", "woodworking_kaluga")
WATCHED = ("profit_per_firm", "members", "firms_active")
MECHANISM_LABELS = {
    "sharing": "M1 sharing idle capacity",
    "asset_light": "M2 asset-light entry",
    "specialization": "M3 specialisation",
    "spillovers": "M4 know-how spillovers",
    "adjacent": "M5 local suppliers",
    "export": "M6 joint export",
    "trust": "M7 trust",
    "entry_exit": "M8 entry and exit",
}


class TwinModel(mesa.Model):
    """A district and its standalone twin (``PilotModel`` of each regime) on common random numbers.

    Keyword parameters as ``PilotModel``'s; ``rng`` is the root seed of both twins. The
    ``datacollector`` records, each week, both twins' profit per firm, the paired difference and
    its running mean, and the members' share of the district's firms.
    """

    def __init__(
        self,
        pilot: str = PILOT,
        *,
        rng: int | str | None = None,
        replication: int = 0,
        programme: str = "none",
        **assumptions: Any,
    ) -> None:
        unknown = sorted(set(assumptions) - set(TWIN_KEYWORDS))
        if unknown:
            raise TypeError(f"TwinModel got unknown keyword(s) {unknown}; it takes {sorted(TWIN_KEYWORDS)}")
        seed = _seed(rng)
        given = {k: v for k, v in assumptions.items() if v is not None}
        super().__init__(rng=seed)
        source, overrides = _with_programme(pilot, programme)
        self.programme = programme
        self.district = PilotModel(source, "district", replication, rng=seed, overrides=overrides, **given)
        # the twin is the same firms alone and without the programme: what a policy maker compares
        # the district (with the programme) against; the programme draws nothing at random, so the
        # twins still share every random stream
        self.standalone = PilotModel(pilot, "standalone", replication, rng=seed, **given)
        self.differences: list[float] = []
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "district": lambda m: m.district.week.get("profit_per_firm", math.nan),
                "standalone": lambda m: m.standalone.week.get("profit_per_firm", math.nan),
                "difference this week": lambda m: m.differences[-1] if m.differences else math.nan,
                "mean difference so far": lambda m: float(np.nanmean(m.differences)) if m.differences else math.nan,
                "member share": lambda m: _member_share(m.district),
            }
        )

    def step(self) -> None:
        """One week of each twin, then the paired difference recorded."""
        self.district.step()
        self.standalone.step()
        d, s = self.district.week["profit_per_firm"], self.standalone.week["profit_per_firm"]
        self.differences.append(d - s)
        self.datacollector.collect(self)
        self.running = self.district.running


_ASSUMPTIONS = ("membership", "membership_share", "coordination_cost", "failure_prob", "load")
TWIN_KEYWORDS = {
    name: param
    for name, param in inspect.signature(PilotModel.__init__).parameters.items()
    if name in (*_ASSUMPTIONS, *MECHANISMS)
}
"""The assumptions and switches both twins take, as ``PilotModel`` declares them."""
# Mesa's SolaraViz reads the model's keyword parameters from its signature (and would pass its own
# scenario= to a **kwargs): declare PilotModel's keywords there, each with its default of None
_own = inspect.signature(TwinModel.__init__).parameters
TwinModel.__init__.__signature__ = inspect.Signature(
    [p for n, p in _own.items() if n != "assumptions"] + list(TWIN_KEYWORDS.values())
)


def programme_variant(pilot: str) -> str | None:
    """The packaged programme variant of a pilot (``woodworking_kaluga`` -> ``variants/woodworking_programme``)."""
    name = f"variants/{Path(pilot).stem.split('_')[0]}_programme"
    return name if name in pilot_names() else None


def programme_choices(pilot: str) -> list[str]:
    """``none``, each instrument of the pilot's programme variant alone, and ``all`` of them."""
    return ["none", *(i.name for i in _instruments(pilot)), "all"] if programme_variant(pilot) else ["none"]


def _instruments(pilot: str) -> tuple:
    """The instruments of the pilot's programme variant (none without one)."""
    variant = programme_variant(pilot)
    return tuple(load_experiment(variant).base.programme.instruments) if variant else ()


def _with_programme(pilot: str, programme: str) -> tuple[str, dict[str, Any] | None]:
    """The scenario to load and the overrides that keep the chosen instruments of the programme."""
    if programme == "none":
        return pilot, None
    instruments = _instruments(pilot)
    if not instruments or (programme != "all" and programme not in {i.name for i in instruments}):
        raise ValueError(f"programme must be one of {programme_choices(pilot)}, not {programme!r}")
    variant = programme_variant(pilot)
    if programme == "all":
        return variant, None
    return variant, {"programme.instruments": [i.model_dump(mode="json") for i in instruments if i.name == programme]}


def _seed(rng: Any) -> int | None:
    """The seed box's text as a seed: empty for the file's seed."""
    if rng is None or (isinstance(rng, str) and not rng.strip()):
        return None
    return int(rng)


def _member_share(m: PilotModel) -> float:
    firms = m.week.get("firms_active", math.nan)
    return m.week.get("members", math.nan) / firms if firms else math.nan


def model_params(pilot: str = PILOT) -> dict[str, Any]:
    """The dashboard's controls, starting at the scenario file's values."""
    district = load_experiment(pilot).regimes["district"]
    d, s, m = district.district, district.sharing, district.market
    on = district.mechanisms

    def slider(label: str, value: float, lo: float, hi: float, step: float) -> dict[str, Any]:
        return {"type": "SliderFloat", "value": value, "label": label, "min": lo, "max": hi, "step": step}

    params: dict[str, Any] = {
        "pilot": pilot,
        "rng": {"type": "InputText", "value": str(district.seed), "label": "Seed (both twins)"},
        "membership": {
            "type": "Select",
            "value": d.membership,
            "values": ["random", "choice"],
            "label": "How firms become members",
        },
        "membership_share": slider("Share of firms in the district", d.membership_share, 0.0, 1.0, 0.01),
        "coordination_cost": slider("Coordination cost, kRUB per unit shared", d.coordination_cost, 0.0, 10.0, 0.1),
        "failure_prob": slider("Chance a partner fails to deliver, per week", s.failure_prob, 0.0, 0.3, 0.01),
        "load": slider("Demand as a share of capacity", m.load, 0.5, 1.0, 0.01),
    }
    for name in MECHANISMS:
        params[name] = {"type": "Checkbox", "value": bool(getattr(on, name)), "label": MECHANISM_LABELS[name]}
    choices = programme_choices(pilot)
    if len(choices) > 1:
        params["programme"] = {"type": "Select", "value": "none", "values": choices, "label": "Public programme"}
    return params


@solara.component
def Headline(model: TwinModel) -> None:  # noqa: N802 - a Solara component, named as one
    """One sentence a policy maker can read at a glance: this week, the twins and their difference."""
    from mesa.visualization.utils import update_counter  # noqa: PLC0415 - redraw at each step

    update_counter.get()
    p = model.district.params
    off = [MECHANISM_LABELS[m] for m in MECHANISMS if not getattr(p.mechanisms, m)]
    if p.district.membership == "choice":
        who = (
            f"firms choose to join every {p.district.membership_review_weeks} weeks ({p.district.membership_share:.0%} "
            f"of firms may, {p.district.founding_share:.0%} of those found the district)"
        )
    else:
        who = f"{p.district.membership_share:.0%} of firms in the district, drawn at random"
    assumptions = (
        f"Assumptions: {who}, "
        f"coordination cost {p.district.coordination_cost:g} kRUB per unit shared, partners fail "
        f"{p.sharing.failure_prob:.0%} of deliveries, demand at {p.market.load:.0%} of capacity; "
        + (f"switched off: {', '.join(off)}." if off else "every mechanism on.")
    )
    if model.programme != "none":
        spent = model.district.week.get("public_spent", 0.0) if model.district.steps else 0.0
        names = ", ".join(i.name.replace("_", " ") for i in p.programme.instruments)
        assumptions += (
            f" Public programme for the district (not for its twin): {names}; spent so far "
            f"{spent:,.0f} thousand roubles."
        )
    week = model.district.steps
    if not week:
        _text(
            "<b>Week 0.</b> The district and the same firms alone (its <i>standalone twin</i>) face the "
            f"same demand. Press <i>Step</i> or <i>Play</i> to run them side by side. To try another "
            f"assumption, move its slider, then press <i>Reset</i>.<br><br>{assumptions}"
        )
        return
    d, s = model.district.week["profit_per_firm"], model.standalone.week["profit_per_firm"]
    mean = float(np.nanmean(model.differences))
    lead = "more" if mean > 0 else "less"
    _text(
        f"<b>Week {week}.</b> Profit per firm this week: district <b>{d:,.1f}</b>, standalone "
        f"<b>{s:,.1f}</b> thousand roubles. Averaged over the weeks so far, a district firm earns "
        f"<b>{abs(mean):,.1f}</b> {lead} per week than its twin.<br><br>This is one run: how sure the "
        f"difference is, only many replications say (<code>python simulate.py</code> gives its 95% "
        f"interval).<br><br>{assumptions}"
    )


def _text(html: str) -> None:
    """A paragraph (plain HTML: Solara's Markdown would fetch a maths typesetter, which is not offline)."""
    solara.HTML(tag="div", unsafe_innerHTML=html, style={"font-size": "16px", "line-height": "1.5", "padding": "8px"})


def _titled(title: str, ylabel: str, zero: bool = False):
    """A Matplotlib post-processor: a plain title, the unit, weeks from 1, and a zero line for differences."""

    def post(ax: Any) -> None:
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(ylabel)
        # Mesa labels the axis "Step" and counts rows from 0; a row is a week, counted from 1
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x + 1:g}"))
        weeks = max((len(line.get_xdata()) for line in ax.get_lines()), default=0)
        ax.set_xlim(-0.5, max(weeks - 0.5, 1.5))  # whole weeks on the axis, even after one
        for line in ax.get_lines():
            line.set_marker("o" if weeks < 30 else "")  # a single week is a point, not an empty chart
            line.set_markersize(3)
        if zero:
            ax.axhline(0.0, color="black", linewidth=0.8)

    return post


def page_for(pilot: str = PILOT) -> Any:
    params = model_params(pilot)
    start = {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}
    return SolaraViz(
        TwinModel(**start),
        components=[
            Headline,
            make_plot_component(
                {"district": "tab:blue", "standalone": "tab:grey"},
                post_process=_titled("Profit per firm each week", "thousand roubles per firm"),
            ),
            make_plot_component(
                {"difference this week": "tab:orange", "mean difference so far": "tab:red"},
                post_process=_titled("District minus its standalone twin", "thousand roubles per firm", zero=True),
            ),
            make_plot_component(
                "member share", post_process=_titled("Share of trading firms that are members", "share of firms")
            ),
        ],
        model_params=params,
        name=f"district-sim: {pilot}",
        play_interval=150,
    )


page = page_for()
