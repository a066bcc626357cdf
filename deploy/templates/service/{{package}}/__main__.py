import sys

from probation_shared.cli import service_main

from .service import SPEC

sys.exit(service_main(SPEC))
