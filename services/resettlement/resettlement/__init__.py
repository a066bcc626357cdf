"""resettlement: resettlement packs for people due for release."""
