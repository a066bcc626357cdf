"""Models and repositories: all of the service's SQL lives here."""
