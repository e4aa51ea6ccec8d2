"""`python -m scanner` runs the `residency` command."""

from scanner.cli import main

main()
