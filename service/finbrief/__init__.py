"""finbrief: faithful English briefs and cause labels for Chinese financial news."""

__version__ = "0.1.0"
