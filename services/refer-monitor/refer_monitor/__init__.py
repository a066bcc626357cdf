"""refer-monitor: referrals to commissioned providers and monitoring of their delivery."""
