"""The matching engine: keyword prefilter, regex confirmation in windows, pairing."""
