from ivr.cli import main

raise SystemExit(main())
