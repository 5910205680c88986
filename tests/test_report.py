"""report.html and compare: content, numbers that match effects.csv, languages, refusals, a real browser."""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.outputs.folder import review_weeks
from model.outputs.i18n import number
from model.outputs.report import sentence
from model.scenario_io import load_experiment

from .conftest import ROOT, simulate

SCEN = ROOT / "scenarios"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("reports")
    out = {}
    for key, scenario, lang in (
        ("wood", "woodworking_kaluga.yaml", "en"),
        ("food", "food_tambov.yaml", "en"),
        ("wood_ru", "woodworking_kaluga.yaml", "ru"),
    ):
        folder = base / key
        proc = simulate(
            str(SCEN / scenario),
            "--replications", "3", "--steps", "52", "--workers", "2",
            "--set", "district.coordination_cost=2",
            "--out", str(folder), "--quiet", "--lang", lang,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        out[key] = folder
    return out


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_report_has_every_section_in_order_and_no_external_links(runs):
    page = (runs["wood"] / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == [  # the decision brief first, run details last
        "In brief",
        "Headline effects, averages over 1 year (52 weeks)",
        "Charts",
        "Assumptions that differ from the defaults",
        "Mechanisms, on and off",
        "Caveats",
        "Run details",
    ]
    # self-contained: every image embedded, nothing fetched from anywhere
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", page)
    assert "http://" not in page
    assert "https://" not in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == len(list((runs["wood"] / "charts").glob("*.png"))) >= 5
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)


def test_report_states_what_was_run_and_the_changed_assumptions(runs):
    text = _text((runs["wood"] / "report.html").read_text(encoding="utf-8"))
    for needle in ("woodworking_kaluga", "standalone, district", "Replications per regime", "Root seed"):
        assert needle in text
    # the override is an assumption that differs from its default, with its unit and source
    row = re.search(r"district\.coordination_cost\s+(\S+)\s+(\S+)\s+kRUB per unit traded at full trust", text)
    assert row, text[:2000]
    assert row.group(1) == "2"
    assert "Sharing idle capacity and subcontracting (M1)" in text
    assert "Only 3 replications per regime" in text


def test_every_sentence_number_matches_effects_csv(runs):
    effects = pd.read_csv(runs["wood"] / "effects.csv")
    text = _text((runs["wood"] / "report.html").read_text(encoding="utf-8"))
    profit = effects[(effects["metric"] == "profit") & (effects["regime"] == "district")].iloc[0]
    scale = 100 / abs(profit["baseline_mean"])
    expected = sentence(profit, "en")
    assert expected in text
    assert f"{number(abs(profit['diff_mean'] * scale), 'en', 3)}%" in expected
    assert f"95% CI {number(profit['ci_low'] * scale, 'en', 3)}% to {number(profit['ci_high'] * scale, 'en', 3)}%" in (
        expected
    )
    roa = effects[(effects["metric"] == "roa") & (effects["regime"] == "district")].iloc[0]
    assert f"{number(abs(100 * roa['diff_mean']), 'en', 3)} percentage points" in text


def test_russian_report_uses_russian_words_and_decimal_commas(runs):
    page = (runs["wood_ru"] / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in page
    text = _text(page)
    for needle in ("Коротко", "Параметры расчёта", "Главные эффекты", "Прибыль", "95% ДИ", "Оговорки"):
        assert needle in text
    effects = pd.read_csv(runs["wood_ru"] / "effects.csv")
    profit = effects[(effects["metric"] == "profit") & (effects["regime"] == "district")].iloc[0]
    shown = number(abs(profit["diff_mean"]) * 100 / abs(profit["baseline_mean"]), "ru", 3)
    assert f"на {shown}%" in text
    assert number(12345.6, "ru") == "12\u00a0346"
    assert number(0.0123, "ru") == "0,0123"
    assert number(1234567.0, "en") == "1,234,567"


def test_compare_puts_pilots_side_by_side(runs, tmp_path):
    out = tmp_path / "cmp"
    proc = simulate("compare", str(runs["wood"]), str(runs["food"]), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["run"]) == {"woodworking_kaluga", "food_tambov"}
    assert (out / "charts" / "compare_profit.png").stat().st_size > 5_000
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Effects side by side" in page
    # the numbers come from each run's own effects.csv
    wood = pd.read_csv(runs["wood"] / "effects.csv")
    w = wood[(wood["metric"] == "profit") & (wood["regime"] == "district")].iloc[0]
    mine = table[(table["metric"] == "profit") & (table["run"] == "woodworking_kaluga")].iloc[0]
    assert np.isclose(mine["diff_mean"], w["diff_mean"], rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (lambda tmp, runs: [str(tmp), str(runs["wood"])], r"not the results folder of a run"),
        (lambda tmp, runs: [str(tmp / "nowhere"), str(runs["wood"])], r"nowhere: not a folder"),
        (lambda tmp, runs: [str(runs["wood"])], r"at least two results folders"),
        (lambda tmp, runs: [str(runs["wood"]), str(runs["wood"])], r"the same results folder is given twice"),
    ],
)
def test_compare_refuses_what_is_not_comparable(runs, tmp_path, make, pattern):
    proc = simulate("compare", *make(tmp_path, runs), "--out", str(tmp_path / "cmp"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert re.search(pattern, lines[0]), lines[0]
    assert not (tmp_path / "cmp").exists()


def test_design_jobs_get_a_report_too(tmp_path):
    out = tmp_path / "sweep"
    proc = simulate(
        "sweep", str(SCEN / "woodworking_kaluga.yaml"), "--vary", "district.coordination_cost=0,6",
        "--replications", "2", "--steps", "26", "--out", str(out), "--quiet", "--outcome", "profit",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "sweep_effects.csv" in page
    assert "data:image/png;base64," in page


# ---------------------------------------------------------------------------- a real browser
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    if os.geteuid() == 0 and shutil.which("apt-get"):  # the test set-up installs Debian's package
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
        try:
            if subprocess.run(install, capture_output=True, timeout=300, check=False, env=env).returncode != 0:
                # a fresh machine may have no package lists yet
                subprocess.run(["apt-get", "update"], capture_output=True, timeout=120, check=False, env=env)
                subprocess.run(install, capture_output=True, timeout=300, check=False, env=env)
        except subprocess.TimeoutExpired:
            return None
        return shutil.which("chromium")
    return None


def test_report_renders_in_headless_chromium(runs, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("headless Chromium is not installed and could not be installed (needs root and apt-get)")
    shot = tmp_path / "shot.png"
    for key in ("wood", "wood_ru"):
        url = (runs[key] / "report.html").resolve().as_uri()
        common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"]
        dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False)
        assert dom.returncode == 0, dom.stderr[-2000:]
        assert "<h2>Charts</h2>" in dom.stdout or "<h2>Графики</h2>" in dom.stdout
        proc = subprocess.run(
            [*common, f"--screenshot={shot}", "--window-size=1200,1600", url],
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        import matplotlib.image as mpimg

        pixels = mpimg.imread(shot)
        assert pixels.shape[0] >= 1000
        assert pixels[..., :3].std() > 0.05  # not blank: text, tables and charts


@pytest.mark.parametrize(
    ("sets", "every"),
    [
        ([], 52),  # the pilot: members shed capacity at the yearly review
        (["district.capacity_review_weeks=26"], 26),
        (["mechanisms.asset_light=false", "mechanisms.specialization=false"], None),  # nobody sells capacity
        (["district.membership_share=0"], None),  # nobody joins in any regime
    ],
)
def test_charts_mark_capacity_reviews_only_where_members_sell_or_move_capacity(sets, every):
    """Dotted review lines explain the district's one-week profit dips; they appear only when reviews act."""
    exp = load_experiment(ROOT / "scenarios" / "woodworking_kaluga.yaml", sets)
    assert review_weeks(exp) == every


def test_every_metric_unit_and_phrase_has_a_russian_entry():
    from model.outputs.i18n import LABELS_RU, PHRASES, UNITS_RU
    from model.sim.metrics import metric_list

    for m in metric_list(("cut",), choice=True, programme=True):
        assert m.name in LABELS_RU or m.name.startswith("utilization_"), m.name
        assert m.unit in UNITS_RU, m.unit
    assert [k for k, v in PHRASES.items() if not v.get("ru")] == []


def test_compare_refuses_runs_of_different_horizons_unless_told_and_then_flags_them(tmp_path, capsys):
    from model.cli import main

    wood = ROOT / "scenarios" / "woodworking_kaluga.yaml"
    short, long_ = tmp_path / "short", tmp_path / "long"
    for out, steps in ((short, "8"), (long_, "12")):
        assert main([str(wood), "--replications", "2", "--steps", steps, "--quiet", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["compare", str(short), str(long_), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: compare: the runs differ in horizon or replications (")
    assert f"{short}: 8 weeks x 2 replications" in err
    assert not (tmp_path / "c").exists()
    assert main(["compare", str(short), str(long_), "--mixed", "--quiet", "--out", str(tmp_path / "c")]) == 0
    table = pd.read_csv(tmp_path / "c" / "comparison.csv")
    assert table["mixed_sizes"].all()
    assert set(table["weeks"]) == {8, 12}
    assert "differ in horizon or replications" in (tmp_path / "c" / "report.html").read_text(encoding="utf-8")


def test_intervals_of_shares_stay_inside_what_a_share_can_be(runs):
    """Survival and export shares: a mean's interval inside 0..1, a difference's inside -1..1
    (three replications of 52 weeks gave survival intervals above 100% before)."""
    for key in ("wood", "food"):
        summary = pd.read_csv(runs[key] / "summary.csv")
        shares = summary[summary["unit"].isin(["fraction", "0..1", "fraction of weeks"])].dropna(subset=["ci_low"])
        assert len(shares) > 10
        assert (shares["ci_low"] >= 0).all()
        assert (shares["ci_high"] <= 1).all()
        effects = pd.read_csv(runs[key] / "effects.csv")
        diffs = effects[effects["unit"].isin(["fraction", "0..1", "fraction of weeks"])].dropna(subset=["ci_low"])
        assert (diffs["ci_low"] >= -1).all()
        assert (diffs["ci_high"] <= 1).all()


def test_bound_cuts_an_interval_to_the_range_of_its_unit():
    from model.experiments.stats import bound

    assert bound("fraction", -0.1, 1.2) == (0.0, 1.0)
    assert bound("fraction", 0.2, 0.4) == (0.2, 0.4)
    assert bound("fraction", -1.5, 0.3, difference=True) == (-1.0, 0.3)
    assert bound("kRUB per week", -5.0, 5.0) == (-5.0, 5.0)


def test_switches_left_to_the_schema_and_values_set_on_the_command_line_are_shown_as_such(tmp_path):
    """A scenario without ``mechanisms:`` runs with the schema's defaults, and says so on the
    console and in the report; a value from --set is credited to --set, not to the pilot's source."""
    import yaml

    data = yaml.safe_load((SCEN / "woodworking_kaluga.yaml").read_text(encoding="utf-8"))
    del data["mechanisms"]
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    proc = simulate(
        str(bare), "--steps", "3", "--replications", "2", "--set", "district.coordination_cost=2.5", "--out", str(out),
        "--weekly-csv",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    weekly = pd.read_csv(out / "timeseries.csv")  # on request: every week of every run
    assert len(weekly) == 2 * 2 * 3
    assert weekly.equals(pd.read_parquet(out / "timeseries.parquet").astype({"regime": str}))
    assert (
        "mechanisms on: sharing (default), trust (default), entry_exit (default); off: asset_light (default), "
        "specialization (default), spillovers (default), adjacent (default), export (default)"
    ) in proc.stderr
    text = _text((out / "report.html").read_text(encoding="utf-8"))
    assert text.count("not in the file: the schema's default") == 8
    row = re.search(r"district\.coordination_cost\s+2\.5\s+\S+\s+.*?--set district\.coordination_cost=2\.5", text)
    assert row, text[:3000]


def test_a_run_writes_a_workbook_that_holds_numbers_as_numbers(runs):
    """results.xlsx opens cleanly in any locale's Excel: the CSVs' rows with numbers stored as
    numbers, and the brief's table per firm and per year."""
    book = pd.read_excel(runs["wood"] / "results.xlsx", sheet_name=None)
    assert list(book) == ["brief", "effects", "summary"]
    effects = pd.read_csv(runs["wood"] / "effects.csv")
    assert book["effects"].shape == effects.shape
    assert np.allclose(book["effects"]["diff_mean"], effects["diff_mean"], equal_nan=True)
    first = book["brief"].iloc[0]
    assert first["metric"] == "profit_per_firm"
    assert first["unit"] == "kRUB per firm-year"
    row = effects[effects["metric"] == "profit_per_firm"].iloc[0]
    assert first["difference"] == pytest.approx(52 * row["diff_mean"])
    ru = pd.read_excel(runs["wood_ru"] / "results.xlsx", sheet_name="brief")
    assert ru["label"].iloc[0] == "Прибыль на фирму"
