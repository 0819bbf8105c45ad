"""Keystone's WSGI application for gunicorn.

keystone parses sys.argv with oslo.config and rejects gunicorn's own flags,
so the workers would crash-loop; trim argv before importing it. The config
file comes from OS_KEYSTONE_CONFIG_FILES (set by scripts/cluster.py).
"""
import sys

sys.argv = sys.argv[:1]

from keystone.server import wsgi  # noqa: E402

application = wsgi.initialize_public_application()
