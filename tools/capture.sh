#!/usr/bin/env bash
# Capture the results folders and raw histories that a refactor must leave unchanged.
#   tools/capture.sh CHECKOUT OUT      e.g. tools/capture.sh ../base ../verify/before
# Runs the CHECKOUT's own code with this project's .venv (or $PYTHON) and writes to OUT/cur,
# then renames it to OUT, so both sides see the same --out paths (manifests record them).
# Compare two captures with tools/compare_captures.py BEFORE AFTER.
set -euo pipefail
src=$(cd "$1" && pwd)
dest=$2
py=${PYTHON:-$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python}
cur="$(dirname "$dest")/cur"
rm -rf "$cur" && mkdir -p "$cur"
cd "$src"
export PYTHONPATH="$src"
sim() { "$py" simulate.py "$@"; }
for s in woodworking_kaluga food_tambov metalworking_moscow variants/woodworking_half_members; do
  sim scenarios/$s.yaml --replications 3 --steps 104 --quiet --out "$cur/run-${s##*/}"
done
sim scenarios/food_tambov.yaml --replications 2 --steps 52 --lang ru --quiet --out "$cur/run-ru"
sim validate --quick --workers 1 --quiet --out "$cur/validate"
sim sweep scenarios/woodworking_kaluga.yaml --vary district.coordination_cost=0,3,6 \
    --replications 2 --steps 104 --workers 1 --quiet --out "$cur/sweep"
sim attribute scenarios/woodworking_kaluga.yaml --replications 2 --steps 52 --workers 1 --quiet --out "$cur/attribute"
sim sensitivity scenarios/woodworking_kaluga.yaml --trajectories 2 --replications 2 --steps 52 --workers 1 \
    --param district.coordination_cost --param sharing.markup --param market.load --quiet --out "$cur/sensitivity"
sim --help > "$cur/help.txt"
for c in run validate sweep attribute sensitivity compare; do sim $c --help > "$cur/help-$c.txt"; done
# one-line errors and exit statuses on bad input
printf 'name: x\nsteps: -3\n' > "$cur/bad.yaml"
{ sim "$cur/bad.yaml" --quiet --out "$cur/never" 2>&1; echo "exit $?"; } > "$cur/error-schema.txt" || true
{ sim scenarios/woodworking_kaluga.yaml --set nosuch.key=1 --quiet --out "$cur/never" 2>&1; echo "exit $?"; } \
    > "$cur/error-set.txt" || true
{ sim sweep scenarios/woodworking_kaluga.yaml --vary district.coordination_cost=a --quiet 2>&1; echo "exit $?"; } \
    > "$cur/error-vary.txt" || true
rm "$cur/bad.yaml"
sim compare "$cur/run-woodworking_kaluga" "$cur/run-food_tambov" --quiet --out "$cur/compare"
"$py" - "$cur/histories" <<'PY'
import pathlib
import sys

import numpy as np

from model import DistrictModel, load_experiment

out = pathlib.Path(sys.argv[1])
out.mkdir()
for s in ("woodworking_kaluga", "food_tambov", "metalworking_moscow"):
    exp = load_experiment(f"scenarios/{s}.yaml", ["steps=156"])
    for regime, sc in exp.regimes.items():
        for rep in range(3):
            np.save(out / f"{s}-{regime}-{rep}.npy", DistrictModel(sc, rep).run())
PY
rm -rf "$dest"
mv "$cur" "$dest"
echo "captured $dest"
