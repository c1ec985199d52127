"""The bundle's console program: ``obdident`` (the same commands as the installed one)."""

from obdident.cli import main

main()
