"""Names in any script: a scenario whose stage names are Korean, Chinese, Arabic or Cyrillic runs end
to end and writes its charts; a character no installed font has is one note, never an error."""

from __future__ import annotations

import contextlib
import io
import json
import warnings

import pytest

from model import cli

NAMES = {
    "korean": ("절단", "건조"),
    "chinese": ("切割", "干燥"),
    "arabic": ("قطع", "تجفيف"),
    "cyrillic": ("распил", "сушка"),
}


@pytest.mark.parametrize("script", NAMES)
def test_stage_names_in_any_script_run_and_write_their_charts(tmp_path, script):
    first, second = NAMES[script]
    scen = tmp_path / "s.yaml"
    scen.write_text(
        f"name: names-{script}\nsteps: 4\nreplications: 2\nfirms: {{count: 12}}\n"
        f"stages: [{{name: {first}}}, {{name: {second}}}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    err = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as pytest's filterwarnings = error, whatever the caller set
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = cli.main([str(scen), "--quiet", "--out", str(out)])
    message = err.getvalue()
    assert status == 0, message
    assert "internal error" not in message
    lines = message.strip().splitlines()
    assert len(lines) <= 1, message  # at most the one font note
    assert all(line.startswith("note: no installed font has") for line in lines)
    charts = sorted((out / "charts").glob("*.png"))
    assert len(charts) >= 3
    assert all(p.stat().st_size > 1000 for p in charts)
    assert (out / "charts" / "stage_utilization.png") in charts  # the chart labelled with the stage names
    assert first in (out / "summary.csv").read_text(encoding="utf-8")
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["scenario_name"] == f"names-{script}"


def test_a_missing_glyph_is_collected_not_warned(tmp_path):
    from matplotlib.figure import Figure

    from model.outputs import charts

    charts.MISSING_GLYPHS.discard("\uffff")
    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, "a\U0001d11e")  # a musical symbol: in no font the tests can count on
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts._savefig(fig, tmp_path / "x.png")
    assert (tmp_path / "x.png").stat().st_size > 0
    assert charts.missing_glyph_note() is None or charts.missing_glyph_note().startswith("note: ")


def test_a_library_warning_made_an_error_is_not_called_an_internal_error(tmp_path, monkeypatch):
    """With -W error a library's warning raises; the command line says what it is, not 'internal error'."""
    from model.cli import dispatch

    def warns(args, argv):
        warnings.warn("something a library says", UserWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(dispatch, "_dispatch", warns)
    err = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with contextlib.redirect_stderr(err):
            status = cli.main(["validate", "--quick", "--out", str(tmp_path / "v")])
    assert status == 1
    assert "internal error" not in err.getvalue()
    assert err.getvalue().startswith("error: a library warned (UserWarning: something a library says)")
