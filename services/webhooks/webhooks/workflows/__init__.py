"""Use cases: load what the pure domain rules need, apply them, store the outcome and queue its events.

Called by the API routers, the consumed-event handlers and the delivery worker (one unit of work each).
"""
