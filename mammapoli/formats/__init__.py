"""Date and time formats per language (settings.FORMAT_MODULE_PATH), on top of Django's own.

Dates read as a clinic writes them: with the weekday, the month in words ("di 1 december
2026", "Tue 1 December 2026"), times on the 24-hour clock.
"""
