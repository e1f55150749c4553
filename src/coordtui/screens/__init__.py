"""The core screens, one per module."""
