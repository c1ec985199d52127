"""The bundle's windowed program: ``obdident-window`` opens the window without a console."""

from obdident.cli.desktop import main

main()
