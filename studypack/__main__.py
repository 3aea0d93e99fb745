"""`python -m studypack`: the same command as the installed `studypack`."""

import sys

from .cli import main

sys.exit(main(prog="python -m studypack"))
