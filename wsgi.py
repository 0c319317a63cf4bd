"""Production entry point: `gunicorn wsgi:app`, configured by WIDGET_* environment variables."""

from widget import create_app

app = create_app()
