"""eu-residency-scanner: where does our customers' personal data live, and is that lawful?"""

__version__ = "0.1.0"
