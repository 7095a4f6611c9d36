"""`python -m chatterm.demo [--port N]`: the same as `chatterm demo-server`."""

from chatterm.demo.server import main

raise SystemExit(main())
