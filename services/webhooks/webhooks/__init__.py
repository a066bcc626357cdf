"""webhooks: signed, retried delivery of partner notifications to providers."""
