"""Test and benchmark helpers for the engine, not used by it: seeded generators of realistic
mornings (`generator`) and hypothesis strategies of instances (`strategies`)."""
