"""WSGI entry point (HTTP only; production uses asgi.py under Daphne)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipewright.settings")
application = get_wsgi_application()
