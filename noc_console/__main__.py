from noc_console.cli import main

raise SystemExit(main())
