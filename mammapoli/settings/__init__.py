"""Settings: `base` reads the environment (the one place that does), `production` hardens it."""
