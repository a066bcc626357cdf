"""Repository-wide pytest set-up: the shared fixtures are loaded by the plugin named in pyproject."""
