"""Starts a Swift daemon with swift.conf read from our state directory.

Swift always reads /etc/swift/swift.conf unless
swift.common.utils.SWIFT_CONF_FILE is changed before the daemon loads its
policies and constraints. Usage: swift_launch.py SWIFT_CONF MODULE CONF [ARGS]
"""
import importlib
import sys

swift_conf, module = sys.argv[1], sys.argv[2]

from swift.common import utils  # noqa: E402

utils.SWIFT_CONF_FILE = swift_conf
from swift.common import constraints, storage_policy  # noqa: E402

storage_policy.reload_storage_policies()
constraints.reload_constraints()

sys.argv = [module] + sys.argv[3:]
sys.exit(importlib.import_module(module).main())
