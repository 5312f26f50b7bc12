"""The web app and JSON API: `create_app(settings)` in app.py; nothing happens at import."""
