import sys

from realsite.lane import main

sys.exit(main())
