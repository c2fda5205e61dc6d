DATE_FORMAT = "D j F Y"  # di 1 december 2026
DATETIME_FORMAT = "D j F Y, H:i"
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
MONTH_DAY_FORMAT = "D j F"  # di 1 december
TIME_FORMAT = "H:i"
