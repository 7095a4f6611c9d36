"""`python -m chatterm` runs the same command as the `chatterm` script."""

from chatterm.cli import main

raise SystemExit(main())
