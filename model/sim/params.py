"""Scenario schema: every parameter with its unit, default, plausible range and source.

This module is the one place where defaults live. Each field is declared with ``P(...)``,
which records the hard validity bounds (checked on construction) and, separately, the
plausible range a sensitivity analysis may sample. Nothing else in the code repeats a default.

Currency is thousand roubles (kRUB); time is one week per step; capacity and demand are
units of the sector's product per week.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

WEEKS_PER_YEAR = 52.0
"""Weeks in a year: one step is one week."""
QUARTER = 13.0
"""Weeks in a quarter: the memory of firms' and the sector's average profit (entry, M8)."""
DEFECT_CAP = 0.5
"""Highest defect rate a stage can have, whatever its learning curve (M3)."""

MECHANISMS = (
    "sharing",
    "asset_light",
    "specialization",
    "spillovers",
    "adjacent",
    "export",
    "trust",
    "entry_exit",
)
"""Switch names, in the order of the domain brief (M1..M8)."""

NAME_PATTERN = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$"
"""Scenario names become folder names: letters, digits, '_', '-', '.', not starting with '.'."""
STAGE_PATTERN = r"^[^\x00-\x1f\x7f/\\]+$"
"""Stage names (any script, e.g. Cyrillic) without control characters or slashes."""
PATTERN_WORDS = {
    NAME_PATTERN: "may only use letters A-Z, digits, '_', '-' and '.', and may not start with '.'",
    STAGE_PATTERN: "may not contain control characters or slashes",
}


def P(  # noqa: N802 - reads as a declaration, like pydantic's Field
    default: Any,
    *,
    unit: str,
    plausible: tuple[float, float] | None,
    source: str,
    doc: str,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare one scenario parameter.

    ``ge/gt/le/lt`` are hard validity bounds; ``plausible`` is the range a user or a
    sensitivity analysis should consider credible (always inside the hard bounds).
    """
    extra = {"unit": unit, "plausible": list(plausible) if plausible else None, "source": source}
    return Field(default, ge=ge, gt=gt, le=le, lt=lt, description=doc, json_schema_extra=extra)


class _Strict(BaseModel):
    """Base for every block: unknown keys are errors, values are frozen after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Firms(_Strict):
    count: int = P(
        60,
        unit="firms",
        plausible=(20, 500),
        ge=1,
        le=2_000_000,
        source="assumption: a district-sized group of small firms of one trade in one oblast",
        doc="Number of firms in the sector at the start.",
    )
    employees_median: float = P(
        8.0,
        unit="employees",
        plausible=(3, 30),
        gt=0,
        le=249,
        source="Istat: Italian district local units average about 4 employees; Russian small "
        "firms are larger (assumption)",
        doc="Median firm size; sizes are lognormal.",
    )
    employees_sigma: float = P(
        0.8,
        unit="log-employees",
        plausible=(0.3, 1.2),
        ge=0,
        le=3,
        source="assumption: typical dispersion of small-firm size distributions",
        doc="Standard deviation of log firm size.",
    )
    employees_max: float = P(
        249.0,
        unit="employees",
        plausible=(50, 249),
        gt=0,
        le=249,
        source="definition: small and medium firms have under 250 employees",
        doc="Sizes are capped here.",
    )
    efficiency_sigma: float = P(
        0.08,
        unit="log-cost",
        plausible=(0.0, 0.2),
        ge=0,
        le=1,
        source="assumption: dispersion of unit variable cost between firms of one trade",
        doc="Standard deviation of a firm's log variable-cost multiplier.",
    )
    imbalance_sigma: float = P(
        0.25,
        unit="log-capacity",
        plausible=(0.0, 0.5),
        ge=0,
        le=2,
        source="assumption: how unevenly a small firm's stages are sized; sets idle capacity at non-bottleneck stages",
        doc="Standard deviation of the log capacity of each stage around the firm's mean.",
    )
    initial_cash_weeks: float = P(
        8.0,
        unit="weeks of fixed cost",
        plausible=(2, 26),
        ge=0,
        le=520,
        source="assumption",
        doc="Opening cash, in weeks of the firm's fixed cost.",
    )
    credit_limit_weeks: float = P(
        12.0,
        unit="weeks of fixed cost",
        plausible=(4, 52),
        ge=0,
        le=520,
        source="assumption: overdraft a bank extends to a small firm",
        doc="A firm whose cash falls below minus this many weeks of fixed cost is insolvent.",
    )


class Market(_Strict):
    model: Literal["market", "normal"] = P(
        "market",
        unit="-",
        plausible=None,
        source="design: 'market' for pilots; 'normal' for the analytic validation limits",
        doc="'market': one sector demand index (trend, season, log-AR(1)) times lognormal firm "
        "noise. 'normal': each firm draws normal demand, equally correlated, for validation.",
    )
    price: float = P(
        100.0,
        unit="kRUB per unit",
        plausible=(60, 160),
        gt=0,
        le=1e9,
        source="assumption: scale of the product unit; only ratios to costs matter",
        doc="Selling price of one unit of output.",
    )
    load: float = P(
        0.75,
        unit="fraction of mean stage capacity",
        plausible=(0.5, 1.0),
        gt=0,
        le=5,
        source="calibrated to the idle capacity the IEP surveys report for the sector",
        doc="A firm's mean weekly demand as a fraction of its mean stage capacity.",
    )
    trend: float = P(
        0.0,
        unit="per year",
        plausible=(-0.05, 0.08),
        ge=-0.9,
        le=2,
        source="assumption",
        doc="Growth rate of sector demand.",
    )
    season_amplitude: float = P(
        0.1,
        unit="fraction of mean demand",
        plausible=(0.0, 0.6),
        ge=0,
        lt=1,
        source="assumption; strong for food (harvest)",
        doc="Amplitude of the annual cosine cycle of sector demand.",
    )
    season_peak_week: float = P(
        20.0,
        unit="week of year",
        plausible=(0, 52),
        ge=0,
        le=52,
        source="assumption",
        doc="Week of the year when seasonal demand peaks.",
    )
    ar: float = P(
        0.8,
        unit="-",
        plausible=(0.5, 0.95),
        ge=0,
        lt=1,
        source="assumption: persistence of weekly sector demand shocks",
        doc="AR(1) coefficient of the log sector-demand noise.",
    )
    noise_sigma: float = P(
        0.08,
        unit="log-demand",
        plausible=(0.02, 0.2),
        ge=0,
        le=2,
        source="assumption",
        doc="Stationary standard deviation of the log sector-demand noise (common to all firms).",
    )
    firm_noise_sigma: float = P(
        0.25,
        unit="log-demand",
        plausible=(0.1, 0.5),
        ge=0,
        le=2,
        source="assumption: week-to-week order lumpiness of a small firm",
        doc="Standard deviation of a firm's own weekly log demand shock (market model).",
    )
    noise_cv: float = P(
        0.2,
        unit="fraction of mean stage capacity",
        plausible=(0.05, 0.4),
        ge=0,
        le=2,
        source="validation design (Eppen 1979)",
        doc="Normal model: standard deviation of a firm's demand, per unit of mean stage capacity.",
    )
    correlation: float = P(
        0.0,
        unit="-",
        plausible=(0.0, 0.9),
        ge=0,
        le=1,
        source="validation design (Eppen 1979)",
        doc="Normal model: equal pairwise correlation of firms' demand.",
    )
    delivery_elasticity: float = P(
        1.0,
        unit="-",
        plausible=(0.0, 3.0),
        ge=0,
        le=20,
        source="assumption: customers move toward firms that deliver good units on time",
        doc="Market model: a firm's share of sector demand scales with its delivery record to this power.",
    )
    record_memory: float = P(
        0.1,
        unit="per week",
        plausible=(0.02, 0.3),
        gt=0,
        le=1,
        source="assumption: customers remember about the last ten weeks",
        doc="Weight of this week in the exponentially weighted delivery record.",
    )
    unserved: Literal["lost", "backlog"] = P(
        "backlog",
        unit="-",
        plausible=None,
        source="domain brief: lost for perishable food",
        doc="What happens to demand a firm cannot serve this week.",
    )
    backlog_loss_rate: float = P(
        0.25,
        unit="per week",
        plausible=(0.1, 0.6),
        ge=0,
        le=1,
        source="assumption: share of waiting customers who cancel each week",
        doc="Backlog mode: fraction of the backlog cancelled (lost) each week.",
    )


class Stage(_Strict):
    name: str = Field(min_length=1, max_length=60, pattern=STAGE_PATTERN, description="Stage name.")
    capacity_per_employee: float = P(
        1.0,
        unit="units per employee-week",
        plausible=(0.2, 5),
        gt=0,
        le=1e6,
        source="assumption: only ratios between stages and to demand matter",
        doc="Mean capacity of this stage per employee of the firm.",
    )
    variable_cost: float = P(
        12.0,
        unit="kRUB per unit",
        plausible=(2, 60),
        ge=0,
        le=1e9,
        source="assumption: materials, energy and piece wages of this stage",
        doc="Variable cost of passing one unit through this stage.",
    )
    fixed_cost: float = P(
        2.0,
        unit="kRUB per unit of weekly capacity per week",
        plausible=(0.5, 8),
        ge=0,
        le=1e9,
        source="assumption: salaried staff, rent and upkeep that scale with the capacity held",
        doc="Weekly fixed cost of holding one unit of weekly capacity at this stage.",
    )
    capital_per_unit: float = P(
        150.0,
        unit="kRUB per unit of weekly capacity",
        plausible=(50, 600),
        ge=0,
        le=1e12,
        source="assumption: book value of equipment per unit of weekly capacity",
        doc="Fixed assets tied up in one unit of weekly capacity at this stage.",
    )
    depreciation: float = P(
        0.10,
        unit="per year",
        plausible=(0.05, 0.2),
        ge=0,
        le=1,
        source="assumption: straight-line life of 5-20 years",
        doc="Depreciation of this stage's equipment; firms reinvest it to keep capacity.",
    )
    progress_ratio: float = P(
        0.8,
        unit="-",
        plausible=(0.7, 0.9),
        gt=0,
        le=1,
        source="Wright (1936); domain brief: progress ratios of 0.7-0.9, about 0.8",
        doc="M3: unit variable cost, defect rate and processing time fall to this share with each "
        "doubling of the stage's cumulative output.",
    )
    defect_rate: float = P(
        0.005,
        unit="fraction of units",
        plausible=(0.0, 0.03),
        ge=0,
        le=0.5,
        source="assumption: scrap rate of one stage at the firm's starting experience",
        doc="Share of units this stage spoils (scrapped; the order is lost).",
    )
    processing_weeks: float = P(
        0.2,
        unit="weeks",
        plausible=(0.05, 1.0),
        ge=0,
        le=52,
        source="assumption",
        doc="Time a unit spends in this stage at the firm's starting experience.",
    )


class Sharing(_Strict):
    network: Literal["random", "complete", "groups"] = P(
        "random",
        unit="-",
        plausible=None,
        source="domain brief: a firm knows a limited number of others",
        doc="Partner network among members: random with a fixed number of partners, complete, or "
        "complete within disjoint groups of group_size members (validation: many pooling groups in one run).",
    )
    group_size: int = P(
        10,
        unit="members",
        plausible=None,
        ge=2,
        le=10_000,
        source="validation design",
        doc="Members per group with network: groups (by storage order; the last group may be smaller).",
    )
    partners: int = P(
        6,
        unit="partners per member",
        plausible=(2, 15),
        ge=1,
        le=200,
        source="assumption",
        doc="Random network: partners each member draws (links are mutual, so degree is higher).",
    )
    markup: float = P(
        0.15,
        unit="fraction of seller's variable cost",
        plausible=(0.0, 0.5),
        ge=0,
        le=5,
        source="assumption: price of subcontracted stage work over its variable cost",
        doc="A seller of idle capacity charges its own variable cost times (1 + markup).",
    )
    transport_cost: float = P(
        1.0,
        unit="kRUB per unit traded",
        plausible=(0.0, 5.0),
        ge=0,
        le=1e9,
        source="assumption: short hauls inside one district",
        doc="Transport cost the buyer pays per unit sent to a partner for one stage.",
    )
    failure_prob: float = P(
        0.03,
        unit="per partner link per week",
        plausible=(0.0, 0.15),
        ge=0,
        le=1,
        source="assumption",
        doc="Chance that a partner fails to deliver the stage work it agreed this week.",
    )
    rounds: int = P(
        3,
        unit="clearing rounds per week",
        plausible=(1, 6),
        ge=1,
        le=50,
        source="design: unfilled requests are re-sent to partners with idle capacity left",
        doc="Rounds of proportional clearing per week.",
    )
    max_complete_firms: int = P(
        3000,
        unit="firms",
        plausible=None,
        ge=2,
        le=20000,
        source="design: a complete network has n*(n-1) links",
        doc="Largest member count allowed with the complete network.",
    )


class Trust(_Strict):
    initial: float = P(
        0.5,
        unit="0..1",
        plausible=(0.2, 0.8),
        ge=0,
        le=1,
        source="assumption",
        doc="Trust on a new partner link.",
    )
    gain: float = P(
        0.05,
        unit="fraction of the gap to 1",
        plausible=(0.01, 0.2),
        ge=0,
        le=1,
        source="assumption",
        doc="After a kept delivery, trust moves this fraction of the way to 1.",
    )
    loss: float = P(
        0.3,
        unit="fraction of trust",
        plausible=(0.1, 0.6),
        ge=0,
        le=1,
        source="assumption: trust is lost faster than it is built",
        doc="After a failed delivery, trust falls by this fraction.",
    )
    drop_below: float = P(
        0.15,
        unit="0..1",
        plausible=(0.05, 0.3),
        ge=0,
        le=1,
        source="assumption",
        doc="M7: a link whose trust falls below this is dropped; the member looks for a new partner.",
    )
    opportunist_share: float = P(
        0.1,
        unit="fraction of firms",
        plausible=(0.0, 0.3),
        ge=0,
        le=1,
        source="assumption; Squazzoni and Boero (2002) on opportunism in districts",
        doc="M7: share of firms that default on agreed deliveries more often than others.",
    )
    opportunism: float = P(
        0.15,
        unit="per link-week",
        plausible=(0.0, 0.4),
        ge=0,
        le=1,
        source="assumption",
        doc="M7: extra chance that an opportunist fails to deliver (added to sharing.failure_prob).",
    )
    cost_ratio: float = P(
        5.0,
        unit="-",
        plausible=(2.0, 8.0),
        ge=1,
        le=100,
        source="Dyer and Chu (2003): procurement transaction costs about 5x higher for the "
        "least-trusted than for the most-trusted buyer",
        doc="Coordination cost per unit at trust 0 over that at trust 1.",
    )


class District(_Strict):
    membership_share: float = P(
        1.0,
        unit="fraction of firms",
        plausible=(0.2, 1.0),
        ge=0,
        le=1,
        source="regime parameter",
        doc="Share of firms that join the district (drawn at random).",
    )
    membership_fee: float = P(
        2.0,
        unit="kRUB per member per week",
        plausible=(0.0, 10.0),
        ge=0,
        le=1e9,
        source="assumption: dues of a district association or consortium",
        doc="Weekly dues of a member of the starting firms' average size while any member mechanism is "
        "on; other members pay in proportion to their employees.",
    )
    coordination_cost: float = P(
        1.5,
        unit="kRUB per unit traded at full trust",
        plausible=(0.0, 10.0),
        ge=0,
        le=1e9,
        source="assumption; scaled up with distrust per trust.cost_ratio",
        doc="Cost of arranging one unit of partner work (search, contracts, checks).",
    )
    partner_review_weeks: int = P(
        13,
        unit="weeks",
        plausible=(4, 26),
        ge=1,
        le=520,
        source="assumption: members look for new partners each quarter",
        doc="M7: members with fewer live links than sharing.partners link to one more member this often.",
    )
    capacity_review_weeks: int = P(
        52,
        unit="weeks",
        plausible=(26, 104),
        ge=1,
        le=520,
        source="assumption: capacity is reviewed once a year, over a full seasonal cycle",
        doc="M2, M3: members review capacity over the last review period this often.",
    )
    membership: Literal["random", "choice"] = P(
        "random",
        unit="-",
        plausible=None,
        source="design",
        doc="How firms become members: random (a share drawn at the start, fixed) or choice (an initiative "
        "group founds the district; at each membership review firms join or leave by what they expect to gain).",
    )
    founding_share: float = P(
        0.2,
        unit="fraction of eligible firms",
        plausible=(0.05, 0.6),
        ge=0,
        le=1,
        source="assumption: an initiative group of a chamber of commerce or an agency",
        doc="choice: share of the eligible starting firms (membership_share of them are eligible) that are "
        "members from week 0.",
    )
    membership_review_weeks: int = P(
        13,
        unit="weeks",
        plausible=(4, 52),
        ge=1,
        le=520,
        source="assumption: firms reconsider each quarter",
        doc="choice: eligible firms decide to join or leave this often.",
    )
    joining_cost: float = P(
        20.0,
        unit="kRUB per firm of the starting firms' average size",
        plausible=(0.0, 100.0),
        ge=0,
        le=1e9,
        source="assumption: about ten weeks of dues (entry fee, paperwork, first meetings)",
        doc="choice: one-off cost of joining, in proportion to employees like the dues; spread over "
        "min_stay_weeks it is the hurdle an expected gain must clear.",
    )
    min_stay_weeks: int = P(
        52,
        unit="weeks",
        plausible=(13, 156),
        ge=1,
        le=5200,
        source="assumption: a year's commitment",
        doc="choice: a member stays at least this long before it may leave.",
    )
    belief_weight: float = P(
        0.5,
        unit="fraction",
        plausible=(0.2, 0.9),
        gt=0,
        le=1,
        source="assumption",
        doc="choice: weight of the newest observed gain in a firm's expected gain (the rest is its earlier belief).",
    )
    association_cost: float = P(
        60.0,
        unit="kRUB per week",
        plausible=(0.0, 150.0),
        ge=0,
        le=1e9,
        source="assumption: a cluster manager and an office, about 3 MRUB a year",
        doc="choice: the district association's running cost, shared by its members in proportion to "
        "employees (on top of the dues): the fewer members, the more each pays.",
    )
    evidence_firms: float = P(
        5.0,
        unit="firms",
        plausible=(1.0, 20.0),
        ge=0,
        le=1e6,
        source="assumption: a prior of no gain worth as much as the results of five members",
        doc="choice: a firm believes the members' results in proportion m / (m + evidence_firms) to the "
        "number m of members it sees.",
    )
    sustain_share: float = P(
        0.25,
        unit="fraction of eligible active firms",
        plausible=(0.15, 0.5),
        gt=0,
        le=1,
        source="assumption: a quarter of the eligible firms carries an association and its services",
        doc="choice: a district whose members are at least this share of the eligible active firms counts "
        "as self-sustaining.",
    )

    @model_serializer(mode="wrap")
    def _without_unused(self, handler: Any) -> Any:
        """A random-membership district leaves the choice values out of its dump: they cannot change a
        run, and a scenario that does not use them keeps its identity (scenario_key) and its files."""
        data = handler(self)
        if self.membership == "random" and isinstance(data, dict):
            for key in CHOICE_ONLY:
                data.pop(key, None)
        return data


CHOICE_ONLY = (
    "membership",
    "founding_share",
    "membership_review_weeks",
    "joining_cost",
    "min_stay_weeks",
    "belief_weight",
    "association_cost",
    "evidence_firms",
    "sustain_share",
)
"""District keys a random-membership district does not read (left out of its dumps)."""


class AssetLight(_Strict):
    shed_utilisation: float = P(
        0.6,
        unit="fraction",
        plausible=(0.4, 0.8),
        ge=0,
        le=1,
        source="assumption",
        doc="M2: a member sheds capacity at a stage whose own utilisation over the review was below this.",
    )
    reliable_spare: float = P(
        0.1,
        unit="fraction of members' capacity",
        plausible=(0.0, 0.3),
        ge=0,
        le=1,
        source="assumption",
        doc="M2: ... only if members' spare capacity at that stage never fell below this share during the review.",
    )
    shed_rate: float = P(
        0.25,
        unit="fraction of idle capacity",
        plausible=(0.1, 0.5),
        ge=0,
        le=1,
        source="assumption",
        doc="M2: share of the stage's idle capacity sold at a review.",
    )
    invest_shortfall: float = P(
        0.1,
        unit="fraction of capacity",
        plausible=(0.05, 0.3),
        ge=0,
        le=10,
        source="assumption",
        doc="M2: a member invests at a stage whose mean weekly shortfall exceeded this share of its capacity.",
    )
    invest_rate: float = P(
        0.5,
        unit="fraction of mean shortfall",
        plausible=(0.2, 1.0),
        ge=0,
        le=5,
        source="assumption",
        doc="M2: capacity bought at a review, as a share of the stage's mean weekly shortfall.",
    )
    salvage: float = P(
        0.6,
        unit="fraction of book value",
        plausible=(0.3, 0.9),
        ge=0,
        le=1,
        source="assumption: second-hand equipment sells below book value",
        doc="Cash received for equipment sold (M2, M3); the rest is written off.",
    )
    min_capacity_share: float = P(
        0.2,
        unit="fraction of nominal capacity",
        plausible=(0.0, 0.5),
        ge=0,
        le=1,
        source="assumption",
        doc="M2, M3: a member keeps at least this much of its nominal capacity at every stage.",
    )
    credit_headroom: float = P(
        0.5,
        unit="fraction of credit limit",
        plausible=(0.2, 1.0),
        ge=0,
        le=1,
        source="assumption: banks lend for equipment only within part of the overdraft",
        doc="M2, M3: a purchase may take cash down to minus this share of the credit limit.",
    )


class Learning(_Strict):
    initial_experience_weeks: float = P(
        1040.0,
        unit="weeks of output",
        plausible=(260, 2080),
        gt=0,
        le=5200,
        source="assumption: established small firms have run each stage for about twenty years",
        doc="M3: starting experience per stage, in weeks of the stage's expected throughput.",
    )
    forgetting: float = P(
        0.0,
        unit="per week",
        plausible=(0.0, 0.01),
        ge=0,
        le=1,
        source="assumption; optional forgetting of the domain brief",
        doc="M3: share of experience lost each week.",
    )
    specialise_gap: float = P(
        0.05,
        unit="fraction of unit cost",
        plausible=(0.0, 0.2),
        ge=0,
        le=10,
        source="assumption",
        doc="M3: a member moves capacity away from a stage whose unit cost exceeds, by more than this, the "
        "landed cost of buying it over its cheapest live link (price, transport, coordination).",
    )
    shift_rate: float = P(
        0.1,
        unit="fraction of the stage's capacity",
        plausible=(0.05, 0.3),
        ge=0,
        le=1,
        source="assumption",
        doc="M3: capacity moved from the member's worst to its best stage at a review.",
    )


class Spillovers(_Strict):
    rate: float = P(
        0.002,
        unit="per week",
        plausible=(0.0005, 0.01),
        ge=0,
        le=1,
        source="assumption",
        doc="M4: weekly share of the gap to the district's best practice a fully absorptive member closes.",
    )
    absorptive_employees: float = P(
        20.0,
        unit="employees",
        plausible=(5, 50),
        gt=0,
        le=1e6,
        source="assumption: absorptive capacity grows with firm size (Cohen and Levinthal 1990)",
        doc="M4: a member of this size or larger has full absorptive capacity; smaller ones proportionally less.",
    )


class Adjacent(_Strict):
    local_share: float = P(
        0.2,
        unit="fraction of purchases",
        plausible=(0.1, 0.4),
        ge=0,
        le=1,
        source="assumption",
        doc="Share of firms' outside purchases (materials, services, upkeep, transport, equipment) bought locally.",
    )
    member_local_share: float = P(
        0.3,
        unit="fraction of purchases",
        plausible=(0.2, 0.5),
        ge=0,
        le=1,
        source="assumption: district members source through local supplier networks",
        doc="M5: local share of members' purchases when the adjacent mechanism is on.",
    )
    revenue_per_job: float = P(
        30.0,
        unit="kRUB per job-week",
        plausible=(15, 60),
        gt=0,
        le=1e9,
        source="assumption: about 1.5 million roubles of sales per supplier job a year",
        doc="Local supplier sales that support one job.",
    )
    revenue_per_firm: float = P(
        400.0,
        unit="kRUB per firm-week",
        plausible=(150, 1500),
        gt=0,
        le=1e12,
        source="assumption: a small local supplier",
        doc="Local supplier sales that support one supplier firm; growth above the peak brings entries.",
    )


class Export(_Strict):
    reputation_threshold: float = P(
        0.85,
        unit="0..1",
        plausible=(0.75, 0.95),
        ge=0,
        le=1,
        source="assumption: foreign buyers require good units delivered on time",
        doc="M6: collective reputation (members' good-unit share times on-time share) needed to open the channel.",
    )
    min_lot: float = P(
        150.0,
        unit="units per week",
        plausible=(50, 500),
        ge=0,
        le=1e12,
        source="assumption: the smallest export contract a consortium can take",
        doc="M6: members' pooled output needed to open the channel.",
    )
    memory: float = P(
        0.05,
        unit="per week",
        plausible=(0.01, 0.2),
        gt=0,
        le=1,
        source="assumption",
        doc="M6: weight of this week in the exponentially weighted reputation.",
    )
    demand_share: float = P(
        0.03,
        unit="fraction of members' nominal capacity",
        plausible=(0.01, 0.1),
        ge=0,
        le=10,
        source="assumption; Intesa Sanpaolo (2017): 38.4% of district firms export vs 29.4%",
        doc="M6: weekly export orders while the channel is open.",
    )
    price: float = P(
        102.0,
        unit="kRUB per unit",
        plausible=(90, 120),
        gt=0,
        le=1e9,
        source="assumption: export price net of freight",
        doc="M6: price of an exported unit.",
    )
    consortium_fee: float = P(
        4.0,
        unit="kRUB per member per week",
        plausible=(1, 10),
        ge=0,
        le=1e9,
        source="assumption: export consortium dues",
        doc="M6: weekly consortium dues of a member of average size while the mechanism is on; others pay "
        "in proportion to their employees.",
    )


class Entry(_Strict):
    slots: float = P(
        0.5,
        unit="fraction of the starting firm count",
        plausible=(0.1, 1.0),
        ge=0,
        le=10,
        source="design: room reserved for entrants",
        doc="M8: most entrants a run can have, as a share of the starting firms.",
    )
    rate: float = P(
        0.002,
        unit="entrants per active firm-week at the reference return",
        plausible=(0.0005, 0.005),
        ge=0,
        le=1,
        source="assumption: a few entrants a year for a group of 60 firms",
        doc="M8: entry rate when the return on assets of the last quarter is one reference above the hurdle.",
    )
    hurdle_roa: float = P(
        0.08,
        unit="per year",
        plausible=(0.0, 0.15),
        ge=-1,
        le=10,
        source="assumption: return a founder needs to enter",
        doc="M8: entrants come only when the return on assets of the last quarter exceeds this.",
    )
    reference_roa: float = P(
        0.1,
        unit="per year",
        plausible=(0.05, 0.2),
        gt=0,
        le=10,
        source="assumption",
        doc="M8: excess return over the hurdle at which entry runs at its base rate.",
    )
    cash_weeks: float = P(
        4.0,
        unit="weeks of fixed cost",
        plausible=(2, 16),
        ge=0,
        le=520,
        source="assumption: founders' equity in cash",
        doc="M8: an entrant's opening cash, in weeks of its fixed cost.",
    )
    experience_share: float = P(
        0.5,
        unit="fraction of incumbents' starting experience",
        plausible=(0.2, 1.0),
        gt=0,
        le=10,
        source="assumption: liability of newness; entrants' unit costs start higher (M3 learning curve)",
        doc="M8: an entrant's starting experience at each stage relative to a starting firm's.",
    )
    size_factor: float = P(
        0.6,
        unit="fraction of incumbent size",
        plausible=(0.3, 1.0),
        gt=0,
        le=10,
        source="assumption: entrants start smaller",
        doc="M8: entrants' employees relative to the incumbents' size distribution.",
    )


class Shock(_Strict):
    kind: Literal["demand", "firm_failure"] = Field(
        description="'demand': scale sector demand; 'firm_failure': a firm fails."
    )
    week: int = Field(ge=1, le=100_000, description="First week of the shock.")
    weeks: int = Field(1, ge=1, le=100_000, description="demand: how many weeks the shock lasts.")
    factor: float = Field(1.0, ge=0, le=10, description="demand: multiplier on sector demand.")
    firm: Literal["largest_member", "largest"] = Field(
        "largest_member", description="firm_failure: which firm fails (the largest member, or the largest firm)."
    )


class Mechanisms(_Strict):
    sharing: bool = Field(True, description="M1 idle-capacity sharing between members.")
    asset_light: bool = Field(False, description="M2 members shed capacity partners reliably have; invest where short.")
    specialization: bool = Field(False, description="M3 learning by doing; members move capacity to their best stages.")
    spillovers: bool = Field(False, description="M4 members' know-how drifts toward the district's best practice.")
    adjacent: bool = Field(False, description="M5 members buy more from local adjacent industries.")
    export: bool = Field(False, description="M6 collective reputation opens an export channel to members.")
    trust: bool = Field(True, description="M7 trust follows delivery record, prices coordination, drops bad links.")
    entry_exit: bool = Field(True, description="M8 exit of insolvent firms, entry, scheduled shocks.")

    def any_member_mechanism(self) -> bool:
        """True when a mechanism that acts through district membership is on."""
        return any(getattr(self, name) for name in MECHANISMS if name != "entry_exit")


class _Instrument(_Strict):
    """What every instrument of a public programme has: a funding window and a budget cap (ODD 7.14)."""

    name: str = Field("", max_length=80, pattern=r"^[A-Za-z0-9_-]*$", description="Short name (default: the kind).")
    start_week: int = P(
        0,
        unit="week",
        plausible=None,
        ge=0,
        le=100_000,
        source="design",
        doc="First week the instrument pays (0: from the start of the run).",
    )
    end_week: int = P(
        156,
        unit="week",
        plausible=(52, 260),
        ge=1,
        le=100_000,
        source="assumption: three years, like the federal subsidies to pilot clusters in 2013-2015",
        doc="Week the instrument stops paying (not included): payments stop there whatever is left.",
    )
    budget: float = P(
        1e9,
        unit="kRUB",
        plausible=None,
        ge=0,
        le=1e12,
        source="design: the agency's allocation",
        doc="Most the instrument may pay in total; once it is spent the instrument stops (the last "
        "week's payments are scaled down to what is left). Default: no cap inside the window.",
    )

    @model_validator(mode="after")
    def _window(self) -> _Instrument:
        if self.end_week <= self.start_week:
            raise ValueError(f"end_week ({self.end_week}) must be after start_week ({self.start_week})")
        return self


class Brokerage(_Instrument):
    """A cluster manager or broker (the Prato 'impannatore'): a salary per week that lowers members'
    coordination cost per unit (M7)."""

    kind: Literal["brokerage"]
    cost_per_week: float = P(
        30.0,
        unit="kRUB per week",
        plausible=(10.0, 60.0),
        ge=0,
        le=1e9,
        source="assumption: a cluster manager and an office, about 1.5 mln RUB a year",
        doc="What the agency pays the broker each week of the window (a payment outside the sector).",
    )
    coordination_cut: float = P(
        0.3,
        unit="fraction",
        plausible=(0.1, 0.5),
        ge=0,
        le=1,
        source="assumption",
        doc="Share of the coordination cost per unit on members' links that the broker removes while paid.",
    )


class MembershipSubsidy(_Instrument):
    """A share of members' dues paid by the agency (under firms that choose, it acts on take-up
    through the members' results)."""

    kind: Literal["membership_subsidy"]
    share: float = P(
        0.5,
        unit="fraction of the dues",
        plausible=(0.25, 1.0),
        ge=0,
        le=1,
        source="assumption: co-financing of half the cost, as in many cluster programmes",
        doc="Share of each member's weekly dues (district.membership_fee and the association's cost) the agency pays.",
    )


class ExportSubsidy(_Instrument):
    """A share of the export consortium's fee paid by the agency (M6)."""

    kind: Literal["export_subsidy"]
    share: float = P(
        0.5,
        unit="fraction of the fee",
        plausible=(0.25, 1.0),
        ge=0,
        le=1,
        source="assumption: co-financing of half the cost",
        doc="Share of each member's export consortium fee (export.consortium_fee) the agency pays.",
    )


class CoInvestment(_Instrument):
    """Co-investment grants: a share of members' equipment purchases at capacity reviews (M2, M3);
    the members' own share is the private investment leveraged."""

    kind: Literal["co_investment"]
    share: float = P(
        0.4,
        unit="fraction of the purchase",
        plausible=(0.2, 0.6),
        gt=0,
        lt=1,
        source="assumption: investment grant intensities for small firms are typically 20-50%",
        doc="Share of each member's equipment purchase the agency pays; the firm's credit then finances "
        "the rest, so a grant lets a firm short of credit buy more.",
    )


class Training(_Instrument):
    """Training for members' staff: a cost per member per week paid to a training provider, that
    raises members' absorptive capacity for know-how spillovers (M4)."""

    kind: Literal["training"]
    cost_per_member_week: float = P(
        3.0,
        unit="kRUB per member per week",
        plausible=(1.0, 6.0),
        ge=0,
        le=1e9,
        source="assumption: a few trainees per firm on part-time courses",
        doc="What the agency pays the training provider (outside the sector) per active member per week.",
    )
    absorptive_boost: float = P(
        0.5,
        unit="fraction",
        plausible=(0.2, 1.0),
        ge=0,
        le=10,
        source="assumption",
        doc="While paid, a member absorbs know-how as if it had this share more employees "
        "(spillovers.absorptive_employees; capped at full absorption). Know-how gained stays.",
    )


class ServiceCentre(_Instrument):
    """A shared service centre (a kiln, a cold store, a metrology or food-safety lab): capacity at one
    stage owned by the programme, which members short at that stage use for a fee per unit (M1)."""

    kind: Literal["service_centre"]
    stage: str = Field(min_length=1, max_length=80, pattern=STAGE_PATTERN, description="The stage it works at.")
    capacity: float = P(
        40.0,
        unit="units per week",
        plausible=(10.0, 150.0),
        gt=0,
        le=1e9,
        source="assumption",
        doc="Stage work the centre can do each week.",
    )
    capital_per_unit: float = P(
        500.0,
        unit="kRUB per unit of weekly capacity",
        plausible=(150.0, 800.0),
        ge=0,
        le=1e12,
        source="assumption: as the pilots' own equipment (stages[].capital_per_unit)",
        doc="Capital the agency pays to build the centre, in its first week (a budget too small builds a smaller one).",
    )
    running_cost_per_week: float = P(
        20.0,
        unit="kRUB per week",
        plausible=(5.0, 60.0),
        ge=0,
        le=1e9,
        source="assumption: staff, energy and maintenance",
        doc="What the agency pays each week the centre is open (outside the sector).",
    )
    user_fee: float = P(
        20.0,
        unit="kRUB per unit",
        plausible=(5.0, 40.0),
        ge=0,
        le=1e9,
        source="assumption",
        doc="What a member pays the agency per unit of work; a member uses the centre only when the unit is "
        "worth more than the fee and transport.",
    )


Instrument = Annotated[
    Brokerage | MembershipSubsidy | ExportSubsidy | CoInvestment | Training | ServiceCentre,
    Field(discriminator="kind"),
]
INSTRUMENT_KINDS = ("brokerage", "membership_subsidy", "export_subsidy", "co_investment", "training", "service_centre")


class Programme(_Strict):
    """A public programme: instruments, each with its window and budget, paid through the agency's ledger."""

    funded: bool = Field(
        True,
        description="False: the counterfactual, the same scenario with the programme's instruments paying "
        "nothing (the reference case of the appraisal, simulated rather than assumed).",
    )
    instruments: tuple[Instrument, ...] = Field((), max_length=20, description="What the agency pays for.")
    discount_rate: float = P(
        0.035,
        unit="per year",
        plausible=(0.0, 0.07),
        ge=0,
        le=1,
        source="HM Treasury Green Book: 3.5% a year",
        doc="Rate at which public cost and benefits are discounted in the appraisal.",
    )
    leakage: float = P(
        0.2,
        unit="fraction",
        plausible=(0.0, 0.5),
        ge=0,
        le=1,
        source="assumption (HCA Additionality Guide: leakage is the share of benefits outside the target area)",
        doc="Share of the adjacent industries' jobs that are outside the region (not counted as net jobs).",
    )

    @model_validator(mode="after")
    def _names(self) -> Programme:
        names = [i.name or i.kind for i in self.instruments]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise ValueError(f"programme: instrument name '{dup}' appears twice (give each a name)")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(i.name or i.kind for i in self.instruments)


class Scenario(_Strict):
    """A fully resolved scenario for one regime: what the model reads."""

    name: str = Field(
        "scenario",
        min_length=1,
        max_length=80,
        pattern=NAME_PATTERN,
        description="Short name; used for the results folder.",
    )
    description: str = Field("", max_length=4000, description="What the scenario represents.")
    seed: int = P(
        20040514,
        unit="-",
        plausible=None,
        ge=0,
        le=2**63 - 1,
        source="design",
        doc="Root seed; each replication gets its own SeedSequence from it.",
    )
    replications: int = P(
        20,
        unit="runs per regime",
        plausible=(5, 200),
        ge=1,
        le=100_000,
        source="design",
        doc="Replications per regime (paired across regimes).",
    )
    steps: int = P(
        260,
        unit="weeks",
        plausible=(52, 520),
        ge=1,
        le=100_000,
        source="design: five years",
        doc="Weeks simulated.",
    )
    firms: Firms = Field(default_factory=Firms)
    market: Market = Field(default_factory=Market)
    stages: tuple[Stage, ...] = Field(min_length=1, max_length=20, description="The value chain, in order.")
    sharing: Sharing = Field(default_factory=Sharing)
    trust: Trust = Field(default_factory=Trust)
    district: District = Field(default_factory=District)
    asset_light: AssetLight = Field(default_factory=AssetLight)
    learning: Learning = Field(default_factory=Learning)
    spillovers: Spillovers = Field(default_factory=Spillovers)
    adjacent: Adjacent = Field(default_factory=Adjacent)
    export: Export = Field(default_factory=Export)
    entry: Entry = Field(default_factory=Entry)
    shocks: tuple[Shock, ...] = Field((), max_length=100, description="M8: scheduled shocks.")
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    programme: Programme = Field(default_factory=Programme)

    @model_serializer(mode="wrap")
    def _without_empty_programme(self, handler: Any) -> Any:
        """A scenario without a programme leaves the block out of its dump: it keeps its identity
        (scenario_key) and its files as before programmes existed."""
        data = handler(self)
        if not self.programme.instruments and isinstance(data, dict):
            data.pop("programme", None)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise ValueError(f"stage name '{dup}' appears twice")
        for inst in self.programme.instruments:
            if inst.kind == "service_centre" and inst.stage not in names:
                raise ValueError(
                    f"programme: service centre stage '{inst.stage}' is not a stage (have: {', '.join(names)})"
                )
        if self.firms.employees_median > self.firms.employees_max:
            raise ValueError(
                f"firms.employees_median ({self.firms.employees_median}) is above "
                f"firms.employees_max ({self.firms.employees_max})"
            )
        return self

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)


def _item_models(ann: Any) -> list[type[BaseModel]]:
    """The block types a list field holds (``tuple[Stage, ...]``; a tagged union gives several)."""
    out: list[type[BaseModel]] = []
    for arg in get_args(ann):
        inner = get_args(arg)[0] if get_origin(arg) is Annotated else arg
        for a in get_args(inner) or (inner,):
            if isinstance(a, type) and issubclass(a, BaseModel):
                out.append(a)
    return out


def parameter_table(model: type[BaseModel] = Scenario, prefix: str = "") -> list[dict[str, Any]]:
    """Every documented parameter as a row: path, default, unit, plausible range, source, doc.

    Used by the documentation and by later tools (sweeps, sensitivity) that need the ranges.
    """
    rows: list[dict[str, Any]] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            rows.extend(parameter_table(ann, prefix=f"{path}."))
            continue
        items = _item_models(ann)
        if len(items) == 1:  # a list of blocks, such as the stages
            rows.extend(parameter_table(items[0], prefix=f"{path}[]."))
            continue
        if items:  # a list of blocks of several kinds, such as the programme's instruments
            for item in items:
                kind = get_args(item.model_fields["kind"].annotation)[0]
                rows.extend(parameter_table(item, prefix=f"{path}[{kind}]."))
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if "unit" not in extra:
            continue
        rows.append(
            {
                "path": path,
                "default": field.default,
                "unit": extra["unit"],
                "plausible": extra["plausible"],
                "source": extra["source"],
                "doc": field.description or "",
            }
        )
    return rows


# Values read only for members. With district.membership_share = 0 nobody is ever a member
# (starting firms or entrants), so no value here can change a run: the standalone regime of every
# point of a sweep over, say, district.coordination_cost is one run, and attribution shares the
# standalone runs of coalitions that differ only in member mechanisms. tests/test_design.py
# changes each one on every pilot's standalone regime and checks the history stays bit-identical.
# (mechanisms.specialization and mechanisms.entry_exit are not here: learning by doing and entry
# act on every firm.)
MEMBER_ONLY = (
    "district.membership_fee",
    "district.coordination_cost",
    "district.partner_review_weeks",
    "district.capacity_review_weeks",
    "district.founding_share",
    "district.membership_review_weeks",
    "district.joining_cost",
    "district.min_stay_weeks",
    "district.belief_weight",
    "district.association_cost",
    "district.evidence_firms",
    "district.sustain_share",
    "sharing",
    "trust",
    "asset_light",
    "spillovers",
    "export",
    "learning.specialise_gap",
    "learning.shift_rate",
    "adjacent.member_local_share",
    "mechanisms.sharing",
    "mechanisms.asset_light",
    "mechanisms.spillovers",
    "mechanisms.export",
    "mechanisms.trust",
    "mechanisms.adjacent",
)
