"""Test support shared by every service's tests: a real broker, a real database, real tokens."""
