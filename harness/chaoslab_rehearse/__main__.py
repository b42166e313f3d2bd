"""`python -m chaoslab_rehearse LAB ...`: see cli.py; scripts/rehearse runs it."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
