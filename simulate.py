#!/usr/bin/env python3
"""district-sim command line: ``python simulate.py scenarios/<file>.yaml``. See README.md."""

import sys

from model.cli import entry

if __name__ == "__main__":
    sys.exit(entry())
