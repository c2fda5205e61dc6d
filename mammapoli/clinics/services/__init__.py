"""Writes of the clinic app: the team and its accounts (`team`), how the mornings vary (`uncertainty`)."""
