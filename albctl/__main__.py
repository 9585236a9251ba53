import sys

from albctl.cli import main

sys.exit(main())
