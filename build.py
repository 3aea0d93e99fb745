#!/usr/bin/env python3
"""Build every pack in content/ into PDFs in output/: `python build.py --help`."""

import sys

from studypack.cli import main

if __name__ == "__main__":
    sys.exit(main())
