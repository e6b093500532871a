import sys

from checkworthy.cli import main

sys.exit(main())
