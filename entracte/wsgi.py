import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entracte.settings")

from entracte.api import lanes  # noqa: E402  (after the settings module is known)

# The scanners' endpoint takes a lean lane in front of Django's handler (entracte/api/lanes.py).
application = lanes.application(get_wsgi_application())
