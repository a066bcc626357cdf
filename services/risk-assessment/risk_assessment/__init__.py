"""risk-assessment: needs and risk assessments, OGRS3, tiering and dynamic risk."""
