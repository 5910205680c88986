"""Bad input: exit status 2, one line naming file, line and key, no traceback, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading

import pytest

from .conftest import ROOT

GOOD = """\
name: bad
steps: 5
replications: 2
stages:
  - name: cut
  - name: dry
district:
  membership_share: 1.0
"""

CASES = {
    "unknown_key": (
        GOOD.replace("membership_share: 1.0", "membership_shar: 1.0"),
        r"bad\.yaml:8:3: district\.membership_shar: unknown key \(did you mean 'membership_share'\?\)",
    ),
    "out_of_range": (
        GOOD.replace("membership_share: 1.0", "membership_share: 1.5"),
        r"bad\.yaml:8:3: district\.membership_share: input should be less than or equal to 1 \(got 1\.5\)",
    ),
    "wrong_type": (
        GOOD.replace("steps: 5", "steps: many"),
        r"bad\.yaml:2:1: steps: input should be a valid integer.*\(got 'many'\)",
    ),
    "broken_yaml": (GOOD.replace("  - name: dry", "  - name: [dry"), r"bad\.yaml:\d+:\d+: YAML error"),
    "duplicate_key": (GOOD + "steps: 6\n", r"bad\.yaml:9:1: steps: duplicate key"),
    "python_tag": (
        GOOD + "evil: !!python/object/apply:os.system ['true']\n",
        r"bad\.yaml:9:7: YAML error: tag refused",
    ),
    "nan": (
        GOOD.replace("membership_share: 1.0", "membership_share: .nan"),
        r"district\.membership_share: must be a finite number",
    ),
    "stage_item_key": (
        GOOD.replace("  - name: dry", "  - name: dry\n    capacity: 3"),
        r"bad\.yaml:7:5: stages\.1\.capacity: unknown key",
    ),
    "missing_stages": ("name: bad\n", r"bad\.yaml:1:1: stages: required key is missing"),
    "empty": ("", r"bad\.yaml: is empty"),
    "not_mapping": ("- 1\n- 2\n", r"top level must be a mapping"),
    "extends_missing": ("extends: nowhere.yaml\n" + GOOD, r"bad\.yaml:1:1: extends: 'nowhere\.yaml' not found"),
    "regime_unknown_key": (
        GOOD + "regimes:\n  standalone: {district.membership_share: 0}\n  district: {district.fee: 2}\n",
        r"regime 'district': district\.fee: unknown key",
    ),
    "bad_baseline": (GOOD + "baseline: nobody\n", r"baseline: 'nobody' is not a regime"),
    "duplicate_stage": (GOOD.replace("  - name: dry", "  - name: cut"), r"stage name 'cut' appears twice"),
    "min_above_max": (
        GOOD + "firms:\n  employees_median: 40\n  employees_max: 30\n",
        r"firms\.employees_median \(40\.0\) is above firms\.employees_max \(30\.0\)",
    ),
    "infinity": (GOOD.replace("membership_share: 1.0", "membership_share: .inf"), r"must be a finite number"),
    "alias_bomb": (
        "".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 10 if p else ['x'] * 10)}]\n"
            for p, c in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
        )
        + GOOD,
        r"bad\.yaml:\d+:\d+: YAML error: aliases here expand to over 200,000 values",
    ),
    "alias_cycle": ("a: &a [1, *a]\n" + GOOD, r"bad\.yaml:1:4: YAML error: an alias refers to itself"),
    "deep_nesting": ("a: " + "[" * 3000 + "]" * 3000 + "\n" + GOOD, r"bad\.yaml.*YAML error: nested"),
    "control_character": (GOOD + 'description: "a\x01b"\n', r"bad\.yaml:\d+:\d+: YAML error: control character"),
    "name_escapes_results": (GOOD.replace("name: bad", "name: .."), r"name: may only use letters"),
    "stage_with_newline": (GOOD.replace("  - name: dry", '  - name: "d\\nry"'), r"stages\.1\.name: may not contain"),
    "too_big_for_memory": (
        GOOD.replace("steps: 5", "steps: 100000").replace("replications: 2", "replications: 100000"),
        r"bad\.yaml: needs about [\d,.]+ GB of memory .* and this machine has",
    ),
    "complete_network_too_big": (
        GOOD + "firms:\n  count: 5000\nsharing:\n  network: complete\n",
        r"a complete network of [\d,]+ members",
    ),
    "python_tag_at_top": ("!!python/object/apply:os.system ['true']\n", r"bad\.yaml:1:1: YAML error: tag refused"),
}


MAX_RSS_KB = 1024 * 1024
"""Refusing bad input stays under 1 GB of memory."""


def run_cli(args, cwd):
    """Run the command line as a user would; also record its own peak memory (``peak_kb``)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, str(ROOT / "simulate.py"), *args], cwd=cwd, stdout=out, stderr=err)
        timer = threading.Timer(60, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own resource usage
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read())
    done.peak_kb = usage.ru_maxrss
    return done


def assert_refused(proc, pattern, cwd):
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert __import__("re").search(pattern, lines[0]), lines[0]
    assert proc.peak_kb < MAX_RSS_KB
    assert not (cwd / "results").exists()
    assert not (cwd / "out").exists()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_file_is_refused_in_one_line(tmp_path, case):
    text, pattern = CASES[case]
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    proc = run_cli(["bad.yaml", "--quiet", "--out", "out"], tmp_path)
    assert_refused(proc, pattern, tmp_path)


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["missing.yaml"], r"missing\.yaml: no such file"),
        (["."], r"is a directory"),
        (
            ["good.yaml", "--set", "district.coordination_cost"],
            r"--set district\.coordination_cost: expected KEY\.PATH=VALUE",
        ),
        (
            ["good.yaml", "--set", "district.coordination_cost=-2"],
            r"--set district\.coordination_cost=-2: district\.coordination_cost: input should be greater",
        ),
        (["good.yaml", "--set", "stages.kiln.variable_cost=3"], r"no item 'kiln' \(have: cut, dry\)"),
        (["good.yaml", "--replications", "0"], r"--replications must be between 1"),
        (["good.yaml", "--workers", "x"], r"--workers must be a whole number"),
        (["good.yaml", "--bogus"], r"unrecognized arguments: --bogus"),
        (["sweep", "good.yaml", "--vary", "district.coordination_cost=1:2"], r"--vary .*: give at least two values"),
        (
            ["sweep", "good.yaml", "--vary", "district.coordination_cost=-1:2:3"],
            r"--vary district\.coordination_cost=-1:2:3: district\.coordination_cost: input should be greater",
        ),
        (
            ["sweep", "good.yaml", "--vary", "district.coordination_cost=0:2:3", "--outcome", "profits"],
            r"--outcome profits: unknown outcome",
        ),
        (["attribute", "good.yaml", "--regime", "standalone"], r"--regime standalone: not a non-baseline regime"),
        (
            ["sweep", "good.yaml"]
            + [f"--vary={p}=1:2:100" for p in ("district.coordination_cost", "district.membership_fee", "market.load")],
            r"--vary: 1,000,000 points; a sweep has at most 10,000",
        ),
        (
            ["sensitivity", "good.yaml", "--method", "sobol", "--samples", "1048576"],
            r"--samples 1048576: [\d,]+ sample points for \d+ parameters; at most 10,000",
        ),
        (["good.yaml", "--dask", "not an address"], r"--dask not an address: give 'local' or a scheduler address"),
        (["good.yaml", "--set", "a\nb=1"], r"--set a\\nb=1: "),
        (["good.yaml", "--precision", "nan"], r"--precision nan: give a fraction between 0 and 1"),
    ],
)
def test_bad_command_line_is_refused_in_one_line(tmp_path, args, pattern):
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    proc = run_cli([*args, "--out", "out"] if "--bogus" not in args else args, tmp_path)
    assert_refused(proc, pattern, tmp_path)


def test_binary_and_non_utf8_files_are_refused(tmp_path):
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert_refused(run_cli(["bin.yaml"], tmp_path), r"binary file", tmp_path)
    assert_refused(run_cli(["latin.yaml"], tmp_path), r"not UTF-8", tmp_path)


def test_circular_extends_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    assert_refused(run_cli(["a.yaml"], tmp_path), r"circular chain", tmp_path)


def test_out_folder_that_is_not_results_is_refused(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "thesis.docx").write_text("precious", encoding="utf-8")
    proc = run_cli(["good.yaml", "--out", "mine", "--quiet"], tmp_path)
    assert proc.returncode == 2
    assert "not a results folder" in proc.stderr
    assert (keep / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_help_works():
    proc = run_cli(["--help"], ROOT)
    assert proc.returncode == 0
    assert "run" in proc.stdout


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_pipes_and_devices_are_refused_without_reading_them(tmp_path, kind):
    target = tmp_path / "odd.yaml"
    if kind == "fifo":
        os.mkfifo(target)  # opening it would block until a writer came
    else:
        target.symlink_to("/dev/zero")  # reading it would never end
    assert_refused(run_cli(["odd.yaml"], tmp_path), r"odd\.yaml: is not a regular file", tmp_path)


def test_extends_of_a_device_is_refused(tmp_path):
    (tmp_path / "bad.yaml").write_text("extends: /dev/zero\n" + GOOD, encoding="utf-8")
    assert_refused(run_cli(["bad.yaml"], tmp_path), r"/dev/zero: is not a regular file", tmp_path)


def test_unwritable_destination_is_refused(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    assert_refused(
        run_cli(["good.yaml", "--out", "/proc/district-sim"], tmp_path),
        r"--out /proc/district-sim: cannot write in /proc",
        tmp_path,
    )
