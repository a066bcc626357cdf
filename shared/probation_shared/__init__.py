"""The platform library shared by every probation service.

It holds mechanisms only (transactions, events, auth, redaction, errors, health); no service's
business rules live here.
"""
