"""Evaluation harnesses: `finbrief eval translation` and `finbrief eval causes`."""
