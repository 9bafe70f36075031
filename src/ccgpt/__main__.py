import sys

from ccgpt.cli.main import main

sys.exit(main())
