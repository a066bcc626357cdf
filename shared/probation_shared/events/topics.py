"""Logical topic names: the wiring contract between services (the settings add any prefix)."""

CASE_ALLOCATION = "case-allocation.events"
RISK_ASSESSMENT = "risk-assessment.events"
REFER_MONITOR = "refer-monitor.events"
PARTNER_NOTIFICATIONS = "refer-monitor.partner-notifications"
RESETTLEMENT = "resettlement.events"
WEBHOOKS = "webhooks.events"  # endpoint disabled (410, or failing for 24 hours): for operators and the owner

ALL = [CASE_ALLOCATION, RISK_ASSESSMENT, REFER_MONITOR, PARTNER_NOTIFICATIONS, RESETTLEMENT, WEBHOOKS]
