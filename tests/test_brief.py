"""The decision brief: its sentences follow their 95% intervals, money is per firm and per year,
and the path of the effect says when it becomes clear."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.outputs import brief


def _effects(low: float, high: float, mean: float | None = None) -> pd.DataFrame:
    mean = (low + high) / 2 if mean is None else mean
    rows = []
    for metric, unit, base in (
        ("profit_per_firm", "kRUB per firm-week", 10.0),
        ("smaller_profit", "kRUB per firm-week", 5.0),
        ("larger_profit", "kRUB per firm-week", 20.0),
        ("employment", "employees", 500.0),
        ("adjacent_jobs", "jobs", 100.0),
        ("roa", "per year", 0.12),
    ):
        rows.append(
            {
                "regime": "district",
                "baseline": "standalone",
                "metric": metric,
                "label": metric,
                "unit": unit,
                "baseline_mean": base,
                "diff_mean": mean,
                "ci_low": low,
                "ci_high": high,
                "rel_diff": mean / base,
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("low", "high", "needle", "forbidden"),
    [
        (1.0, 3.0, "earn more than the same firms", "cannot tell"),
        (-3.0, -1.0, "earn less than the same firms", "cannot tell"),
        (-1.0, 3.0, "cannot tell whether", "earn more than"),
        (-3.0, 0.5, "cannot tell whether", "earn less than"),
    ],
)
def test_the_verdict_follows_the_interval_not_the_point_estimate(low, high, needle, forbidden):
    said = brief.sentences(_effects(low, high), "district", 104, None, "en")
    assert needle in said[0]
    assert forbidden not in " ".join(said)
    assert "2 years (104 weeks)" in said[0]  # the horizon is in the headline sentence


def test_money_is_per_firm_and_per_year():
    said = brief.sentences(_effects(1.0, 3.0), "district", 260, None, "en")[0]
    assert "104 thousand roubles a year more profit per firm (95% interval 52 to 156)" in said  # 2 x 52
    rows = brief.table_rows(_effects(1.0, 3.0), "district", "en")
    first = rows[0]
    assert first[0] == "profit_per_firm, thousand RUB a year"
    assert first[2:5] == ["520", "624", "+104"]  # alone, district (paired: alone + difference), difference
    roa = next(r for r in rows if r[0].startswith("roa"))
    assert roa[4] == "+200 points"  # a rate changes in points, never in per cent
    assert roa[6] == "—"


def test_jobs_at_local_suppliers_are_labelled_as_following_an_assumption():
    said = " ".join(brief.sentences(_effects(1.0, 3.0), "district", 52, None, "en"))
    assert "member_local_share" in said
    kinds = {r[0].split(",")[0]: r[1] for r in brief.table_rows(_effects(1.0, 3.0), "district", "en")}
    assert kinds["adjacent_jobs"] == "total; follows an assumption"
    assert kinds["employment"] == "sector total"


def _timeseries(weekly_diff: np.ndarray, noise: float, reps: int = 6) -> pd.DataFrame:
    """A timeseries frame whose paired difference in profit per firm is ``weekly_diff`` plus noise."""
    rng = np.random.default_rng(1)
    weeks = len(weekly_diff)
    frames = []
    for regime in ("standalone", "district"):
        for rep in range(reps):
            base = 10 + rng.normal(0, noise, weeks) if regime == "district" else np.full(weeks, 10.0)
            value = base + (weekly_diff if regime == "district" else 0)
            frames.append(
                pd.DataFrame(
                    {"regime": regime, "replication": rep, "step": np.arange(1, weeks + 1), "profit_per_firm": value}
                )
            )
    return pd.concat(frames, ignore_index=True)


def test_the_path_says_when_the_effect_becomes_clear():
    diff = np.concatenate([np.full(52, -2.0), np.full(52, 0.0), np.full(104, 3.0)])
    path = brief.effect_path(_timeseries(diff, noise=0.5), "district", "standalone")
    assert [p.year for p in path] == [1, 2, 3, 4]
    assert path[0].high < 0
    assert path[1].low < 0 < path[1].high
    assert path[2].low > 0
    assert path[2].mean == pytest.approx(3 * 52, rel=0.05)  # kRUB a year
    said = brief.path_sentence(path, "en")
    assert said.startswith("The gain is clear (95% interval above zero) from year 3 and stays so to year 4.")
    assert "other way in year 1" in said


def test_a_path_that_never_leaves_zero_says_so():
    path = brief.effect_path(_timeseries(np.zeros(104), noise=1.0), "district", "standalone")
    assert brief.path_sentence(path, "en").startswith("In none of the 2 years")


def test_russian_counts_agree_with_their_number():
    from model.outputs.i18n import count

    assert [count(n, "firm", "ru") for n in (1, 2, 5, 11, 21, 104)] == [
        "1 фирма",
        "2 фирмы",
        "5 фирм",
        "11 фирм",
        "21 фирма",
        "104 фирмы",
    ]
    assert brief.horizon_words(104, "ru") == "2 года (104 недели)"
    assert brief.horizon_words(260, "en") == "5 years (260 weeks)"


def test_the_sweep_report_follows_the_band_not_the_mean():
    """A break-even row whose band includes zero somewhere is never reported as "no break-even"."""
    from model.outputs.report import _break_even_said

    row = pd.Series(
        {"outcome": "profit", "regime": "district", "value": np.nan, "low": np.nan, "high": np.nan,
         "above": "0 to 4", "below": np.nan, "unclear": "5 to 12"}
    )  # fmt: skip
    for lang in ("en", "ru"):
        said = _break_even_said(row, "district.coordination_cost", lang)
        assert "no break-even" not in said.lower()
        assert "безубыточности в диапазоне нет" not in said
    said = _break_even_said(row, "district.coordination_cost", "en")
    assert "above zero with 95% confidence at 0 to 4" in said
    assert "cannot tell (95% interval includes zero) at 5 to 12" in said
    clear = row.copy()
    clear["unclear"] = np.nan
    clear["above"] = "0 to 12"
    assert "No break-even inside the range" in _break_even_said(clear, "district.coordination_cost", "en")


def test_the_chance_it_pays_is_a_share_with_an_interval_inside_0_and_1():
    from model.experiments.sensitivity import chance_pays

    rng = np.random.default_rng(3)
    mean = rng.normal(0.5, 1.0, 200)
    effects = pd.DataFrame(
        {"regime": "district", "metric": "profit", "diff_mean": mean, "ci_low": mean - 1.0, "ci_high": mean + 1.0}
    )
    row = chance_pays(effects, "district", "profit")
    assert row["points"] == 200
    assert row["share_positive"] == pytest.approx((mean > 0).mean())
    assert 0 <= row["ci_low"] < row["share_positive"] < row["ci_high"] <= 1
    assert row["share_clearly_above"] == pytest.approx((mean > 1).mean())
    everywhere = chance_pays(effects.assign(diff_mean=1.0), "district", "profit")
    assert everywhere["share_positive"] == 1.0
    assert everywhere["ci_high"] == pytest.approx(1.0)  # Wilson: inside [0, 1] even at a share of 1
    assert everywhere["ci_low"] < 1.0


def test_an_effect_clear_only_in_the_last_year_says_so():
    diff = np.concatenate([np.full(52, -2.0), np.full(52, 3.0)])
    path = brief.effect_path(_timeseries(diff, noise=0.5), "district", "standalone")
    said = brief.path_sentence(path, "en")
    assert said.startswith("The gain is clear (95% interval above zero) only in year 2, the last of the horizon.")
    assert "other way in year 1" in said
