"""resettlement: Resettlement packs for everyone due for release, localised by region."""
