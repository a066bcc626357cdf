"""Use cases: load what the pure domain rules need, apply them, store the outcome and queue its events.

Called by the API routers and by the consumed-event handlers alike (one unit of work each).
"""
