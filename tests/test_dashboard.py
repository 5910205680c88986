"""The dashboard (``make dashboard``) in a real headless browser: it loads offline, a slider and
Reset build both twins anew, Step advances them, and the page shows the numbers the model gives.

Skipped, with the reason, where Solara, Playwright or Chromium is missing (``.ci/run`` installs
Chromium; Solara and Playwright are in requirements.lock).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    for module in ("solara", "playwright"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (it is in requirements.lock: make test installs it)"
    if not _chromium():
        return "no Chromium on this machine (.ci/run installs Debian's chromium)"
    return None


def _chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if reason := _missing():
        pytest.skip(reason)
    port = _free_port()
    log_path = tmp_path_factory.mktemp("dashboard") / "server.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    argv = [sys.executable, "-m", "solara", "run", "model.dashboard", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--production", "--no-open", "--no-check-version"]
    log = log_path.open("w", encoding="utf-8")
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the dashboard server exited:\n{log_path.read_text(encoding='utf-8')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the dashboard server did not answer within 120 s")
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _expected(coordination_cost: float) -> tuple[float, float]:
    """Week 1 of the twins as the dashboard builds them, computed here."""
    from model.dashboard import TwinModel, model_params

    start = {k: (v["value"] if isinstance(v, dict) else v) for k, v in model_params().items()}
    twins = TwinModel(**{**start, "coordination_cost": coordination_cost})
    twins.step()
    return twins.district.week["profit_per_firm"], twins.standalone.week["profit_per_firm"]


def test_dashboard_moves_a_slider_steps_the_twins_and_shows_their_numbers(server, tmp_path):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})

            def route(r):
                if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1")):
                    r.continue_()
                else:  # offline: nothing may come from outside the machine
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(server, wait_until="load")
            page.wait_for_selector("text=Week 0.", timeout=90_000)
            assert page.get_by_text("coordination cost 1.5 kRUB per unit shared").count() == 1

            # the coordination cost slider to its maximum, by keyboard as a user can
            slider = page.locator(".v-input__slider", has_text="Coordination cost").locator("[role=slider]")
            slider.focus()
            slider.press("End")
            page.get_by_role("button", name="Reset").click()  # Mesa builds the model anew on Reset
            page.wait_for_selector("text=coordination cost 10 kRUB per unit shared", timeout=60_000)

            page.get_by_role("button", name="Step").click()
            page.wait_for_selector("text=Week 1.", timeout=60_000)
            page.wait_for_timeout(1000)  # the charts redraw after the text
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            text = page.inner_text("body")
            images = page.locator("img.widget-image").count()
        finally:
            browser.close()
    district, standalone = _expected(10.0)
    assert f"district {district:,.1f}, standalone {standalone:,.1f} thousand roubles" in text
    assert images == 3  # the three charts
    assert outside == [], f"the page asked for outside resources: {outside}"
    assert failed == [], f"resources the server could not give: {failed}"


@pytest.mark.parametrize("pilot", ["woodworking_kaluga", "food_tambov", "metalworking_moscow"])
def test_the_controls_start_at_the_files_values(pilot):
    """A slider snaps its value to its grid: each must start exactly at the file's value, or the
    dashboard would silently run another scenario than the file."""
    pytest.importorskip("solara", reason="solara is not installed (it is in requirements.lock)")
    from model.dashboard import TwinModel, model_params
    from model.scenario_io import load_experiment

    params = model_params(pilot)
    district = load_experiment(pilot).regimes["district"]
    for name, spec in params.items():
        if isinstance(spec, dict) and spec["type"] == "SliderFloat":
            steps = (spec["value"] - spec["min"]) / spec["step"]
            assert spec["min"] <= spec["value"] <= spec["max"], name
            assert abs(steps - round(steps)) < 1e-9, f"{name}: {spec['value']} is not on the slider's grid"
    start = {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}
    twins = TwinModel(**start)
    assert twins.district.params == district.model_copy(update={"seed": district.seed})
    twins.step()
    frame = twins.datacollector.get_model_vars_dataframe()
    assert frame["difference this week"].iloc[0] == frame["district"].iloc[0] - frame["standalone"].iloc[0]


def test_with_a_programme_the_twin_is_the_same_firms_without_it():
    pytest.importorskip("solara", reason="solara is not installed (it is in requirements.lock)")
    from model.dashboard import TwinModel

    twins = TwinModel(programme="shared_kiln")
    assert [i.name for i in twins.district.params.programme.instruments] == ["shared_kiln"]
    assert not twins.standalone.params.programme.instruments
    assert twins.district.rngs["demand"].bit_generator.state == twins.standalone.rngs["demand"].bit_generator.state
    for _ in range(3):
        twins.step()
    assert "public_spent" not in twins.standalone.week  # no programme, no programme metrics
    assert twins.district.week["public_spent"] > 0.0
