from papertrade.cli import main

raise SystemExit(main())
