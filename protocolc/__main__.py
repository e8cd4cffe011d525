"""`python -m protocolc` runs the command line."""

from .cli import main

main()
