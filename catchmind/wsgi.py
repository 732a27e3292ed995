"""WSGI entry point, for management tools only: players need ASGI (``catchmind.asgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catchmind.settings")
application = get_wsgi_application()
