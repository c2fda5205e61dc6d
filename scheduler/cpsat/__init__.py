"""The CP-SAT back-end. Nothing from `ortools` leaves this package: it takes the prepared
problem and placements, and gives back placements, statuses and bounds as plain data."""
