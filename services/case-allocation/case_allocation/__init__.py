"""case-allocation: the system of record for people on probation and the allocation of their cases."""
