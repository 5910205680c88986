"""The command line's grammar: subcommands, options, help text (argparse)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_BAD_INPUT
from ..sim.metrics import BASE_METRICS

SUBCOMMANDS = ("run", "validate", "sweep", "attribute", "sensitivity", "discover", "study", "compare", "appraise")
LANGS = ("en", "ru")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the problem."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _positive(kind: str, upper: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{kind} must be a whole number, got '{text}'") from None
        if not 1 <= value <= upper:
            raise argparse.ArgumentTypeError(f"{kind} must be between 1 and {upper:,}, got {value}")
        return value

    return parse


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, got '{text}'") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (above 0), got {value}")
    return value


def option_sets(args: argparse.Namespace) -> list[str]:
    """``--replications``, ``--steps`` and ``--seed`` as scenario overrides that name their option."""
    from ..scenario_io import Override

    return [
        Override(f"{key}={getattr(args, key)}", f"--{key} {getattr(args, key)}")
        for key in ("replications", "steps", "seed")
        if getattr(args, key, None) is not None
    ]


def _add_discover(sub, common: argparse.ArgumentParser) -> None:
    """``simulate.py discover``: its own options beside the design jobs' common ones."""
    dis = sub.add_parser(
        "discover",
        parents=[common],
        help="where in the plausible ranges the district fails to pay (PRIM, CART) and the chance it pays",
        description="Scenario discovery: sample the parameters' plausible ranges (Latin hypercube), run the "
        "paired effect at each point, and find the regions where the district fails to pay (its mean effect "
        "on the first --outcome at or below zero; default profit_per_firm): PRIM boxes with coverage and "
        "density, a CART tree, and the chance it pays with a 95%% interval.",
    )
    dis.add_argument(
        "--samples",
        type=_positive("--samples", 10_000),
        default=200,
        metavar="N",
        help="points of the Latin hypercube (default 200)",
    )
    dis.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="PATH[=LO:HI]",
        help="sample only these parameters (repeatable), optionally with a range; default all plausible ranges",
    )
    dis.add_argument(
        "--exclude", action="append", default=[], metavar="PATH", help="leave a parameter out (repeatable)"
    )
    dis.add_argument("--regime", default="district", help="regime whose effect is analysed (default district)")
    dis.add_argument(
        "--density",
        type=_share,
        metavar="D",
        help="choose the PRIM box with the most coverage at density D or more (default: the best balance of "
        "coverage and density)",
    )


def _add_study(sub, scenario_opts: argparse.ArgumentParser) -> None:
    """``simulate.py study``: one regional report from the steps it plans and runs."""
    st = sub.add_parser(
        "study",
        parents=[scenario_opts],
        help="one regional report: run, screening, break-even sweeps, attribution, discovery, evidence",
        description="Plan and run what a regional report needs (the pilot run, a Morris screening, break-even "
        "sweeps of the parameters that matter most, Shapley attribution, scenario discovery and, for the pilots, "
        "the validation's evidence checks), each in its own subfolder, then write one report (English and "
        "Russian) with the decision brief first. Prints the plan and an estimate of its time first.",
    )
    st.add_argument("--quick", action="store_true", help="small sizes of every step: a few minutes on 2 cores")
    st.add_argument(
        "--out", type=Path, metavar="DIR", help="study folder (default results/<scenario>/study-<timestamp>/)"
    )
    st.add_argument("--resume", action="store_true", help="continue an interrupted study in --out DIR")


def _add_appraise(sub, scenario_opts: argparse.ArgumentParser) -> None:
    """``simulate.py appraise``: a programme's value for money."""
    ap = sub.add_parser(
        "appraise",
        parents=[scenario_opts],
        help="what a public programme costs and buys: value for money against the same firms without it",
        description="Run a regime's programme (programme: block), each instrument alone, and the same firms "
        "without the programme on common random numbers; write the agency's measures with 95% intervals.",
    )
    ap.add_argument("--regime", default="district", help="regime whose programme is appraised (default district)")
    ap.add_argument(
        "--budget",
        type=float,
        metavar="KRUB",
        help="compare instruments at one public budget: each alone may spend at most KRUB, the whole "
        "programme KRUB split evenly among its instruments",
    )
    ap.add_argument(
        "--out", type=Path, metavar="DIR", help="results folder (default results/<scenario>/appraisal-<timestamp>/)"
    )


def _workers_and_batch(parser: argparse.ArgumentParser, workers: int) -> None:
    """--workers (default ``workers``) and --batch: where runs go, which never changes their numbers."""
    parser.add_argument(
        "--workers",
        type=_positive("--workers", 256),
        default=workers,
        metavar="K",
        help=f"worker processes (default {workers}); results do not depend on K",
    )
    parser.add_argument(
        "--batch",
        type=_positive("--batch", 100_000),
        metavar="B",
        help="replications of a regime advanced together in one set of arrays (default: as many as fit in "
        "64 MB, all of a pilot's); 1 runs each alone; results do not depend on B",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="simulate.py",
        description="district-sim: the same firms in an industrial district and alone, compared with "
        "confidence intervals. 'simulate.py FILE.yaml' is short for 'simulate.py run FILE.yaml'.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    # options every command on a scenario file shares
    scenario_opts = _Parser(add_help=False)
    scenario_opts.add_argument(
        "scenario", type=Path, help="scenario file (YAML), e.g. scenarios/woodworking_kaluga.yaml"
    )
    scenario_opts.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override one scenario value, e.g. --set district.coordination_cost=3 (repeatable)",
    )
    scenario_opts.add_argument(
        "--replications",
        type=_positive("--replications", 100_000),
        metavar="N",
        help="replications per regime (default: from the file)",
    )
    scenario_opts.add_argument(
        "--steps",
        type=_positive("--steps", 100_000),
        metavar="WEEKS",
        help="weeks to simulate (default: from the file)",
    )
    scenario_opts.add_argument("--seed", type=int, metavar="INT", help="root seed (default: from the file)")
    _workers_and_batch(scenario_opts, workers=1)
    scenario_opts.add_argument(
        "--dask", metavar="ADDRESS", help="run on a Dask cluster: a scheduler address (tcp://host:8786) or 'local'"
    )
    scenario_opts.add_argument("--quiet", action="store_true", help="no progress bar (and, for run, no summary)")
    scenario_opts.add_argument(
        "--lang", choices=LANGS, default="en", help="language of report.html and chart labels (default en)"
    )

    run = sub.add_parser(
        "run",
        parents=[scenario_opts],
        help="run every regime of a scenario file and write a results folder",
        description="Run every regime of a scenario with common random numbers.",
    )
    run.add_argument("--out", type=Path, metavar="DIR", help="results folder (default results/<scenario>/<timestamp>/)")
    run.add_argument(
        "--precision",
        type=float,
        metavar="REL",
        help="add replications until the 95%% half-width of the profit effect is below REL "
        "times its size (e.g. 0.05), up to --max-replications",
    )
    run.add_argument(
        "--max-replications",
        type=_positive("--max-replications", 100_000),
        default=200,
        metavar="N",
        help="cap for --precision (default 200)",
    )
    run.add_argument(
        "--weekly-csv",
        action="store_true",
        help="also write timeseries.csv: every week of every run (regime, replication, step, metrics)",
    )
    val = sub.add_parser(
        "validate",
        help="check the model against analytic results and the evidence; exit 1 if a check fails",
        description="Run the validation checks (risk pooling, correlated demand, Wright's law, null, "
        "monotone cost, evidence patterns), print the table and write it with a chart.",
    )
    val.add_argument(
        "--quick",
        action="store_true",
        help="smaller runs of the same checks: about 70 s on 2 cores (the test suite runs it)",
    )
    _workers_and_batch(val, workers=2)
    val.add_argument("--out", type=Path, metavar="DIR", help="results folder (default results/validation/<timestamp>/)")
    val.add_argument("--quiet", action="store_true", help="no progress bar")
    val.add_argument("--lang", choices=LANGS, default="en", help="language of report.html's headings (default en)")
    # options of the design commands (sweep, attribute, sensitivity)
    common = _Parser(add_help=False, parents=[scenario_opts])
    common.add_argument(
        "--outcome",
        action="append",
        default=[],
        metavar="METRIC",
        help="outcome whose district effect is reported (repeatable; default profit and roa); any metric "
        f"name, e.g. {', '.join(m.name for m in BASE_METRICS[:12])}, ... (the list is in every manifest.json)",
    )
    common.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder; finished runs are kept there as they complete"
    )
    common.add_argument(
        "--resume", action="store_true", help="continue an interrupted job in --out DIR: run only what is missing"
    )
    sw = sub.add_parser(
        "sweep",
        parents=[common],
        help="run a grid of parameter values; effects and break-even",
        description="Full-factorial sweep: every point runs all regimes with common random numbers.",
    )
    sw.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="PATH=LO:HI:N",
        help="parameter to vary: PATH=LO:HI:N or PATH=v1,v2,... (repeatable: full factorial)",
    )
    sw.add_argument(
        "--sustain-target",
        type=_share,
        default=0.8,
        metavar="P",
        help="with firms that choose to join: the share of runs in which the district must sustain itself "
        "for the critical-mass line (default 0.8)",
    )
    at = sub.add_parser(
        "attribute",
        parents=[common],
        help="split the district effect among the mechanisms",
        description="Shapley values of the mechanisms that are on: exact up to "
        f"{8} mechanisms, sampled permutations beyond.",
    )
    at.add_argument("--regime", default="district", help="regime to attribute (default district)")
    at.add_argument(
        "--permutations",
        type=_positive("--permutations", 100_000),
        default=200,
        metavar="P",
        help="sampled permutations when more than 8 mechanisms are on (default 200)",
    )
    se = sub.add_parser(
        "sensitivity",
        parents=[common],
        help="which uncertain parameters move the district effect",
        description="Global sensitivity of the district's paired effect over the parameters' "
        "plausible ranges (SALib): Morris screening or Sobol indices, with 95% intervals.",
    )
    se.add_argument("--method", choices=("morris", "sobol"), default="morris", help="default morris")
    se.add_argument(
        "--trajectories",
        type=_positive("--trajectories", 10_000),
        default=10,
        metavar="R",
        help="Morris trajectories (default 10): R x (parameters + 1) points",
    )
    se.add_argument(
        "--samples",
        type=_positive("--samples", 1_048_576),
        default=64,
        metavar="N",
        help="Sobol base samples, a power of two (default 64): N x (parameters + 2) points",
    )
    se.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="PATH[=LO:HI]",
        help="analyse only these parameters (repeatable), optionally with a range",
    )
    se.add_argument("--exclude", action="append", default=[], metavar="PATH", help="leave a parameter out (repeatable)")
    se.add_argument("--regime", default="district", help="regime whose effect is analysed (default district)")
    _add_discover(sub, common)
    _add_appraise(sub, scenario_opts)
    _add_study(sub, scenario_opts)
    cmp = sub.add_parser(
        "compare",
        help="compare the effects of several results folders (e.g. the three pilots) in one report",
        description="Headline paired effects of several runs side by side: one table, one chart per "
        "outcome and report.html.",
    )
    cmp.add_argument("folders", type=Path, nargs="+", metavar="RESULT_DIR", help="results folders of runs")
    cmp.add_argument("--out", type=Path, metavar="DIR", help="output folder (default results/compare/<timestamp>/)")
    cmp.add_argument("--lang", choices=LANGS, default="en", help="language of the report and charts (default en)")
    cmp.add_argument("--quiet", action="store_true", help="print only where the report is")
    cmp.add_argument(
        "--mixed",
        action="store_true",
        help="compare runs of different horizons or replications anyway (flagged in the report and comparison.csv)",
    )
    return parser


def normalise_argv(argv: list[str]) -> list[str]:
    """Let ``simulate.py FILE.yaml ...`` stand for ``simulate.py run FILE.yaml ...``."""
    first = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    if first is not None and argv[first] not in SUBCOMMANDS:
        return [*argv[:first], "run", *argv[first:]]
    return argv
