import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entracte.settings")

from entracte.api import lanes  # after the settings module is known

# The scanners' and the cart's busiest endpoints take a lean lane in front of Django's handler
# (entracte/api/lanes.py).
application = lanes.application(get_wsgi_application())

# Load the URLs and everything they import now, as the server starts, rather than in the first
# request each process answers (100 ms of a buyer's or a scanner's wait).
_ = get_resolver().url_patterns

# What the process has loaded by now (Django, the URLs, the app's modules: ~100,000 objects)
# lives as long as the process: out of the garbage collector's reach. Otherwise every full
# collection walks it again, 55-80 ms of a worker's CPU with the GIL held, a few times a minute
# under a rush (docs/performance.md, session 20).
gc.freeze()
