"""`python -m scanner` runs the keysweep command line."""

from scanner.cli import main

raise SystemExit(main())
