from obdident.cli import main

main()
