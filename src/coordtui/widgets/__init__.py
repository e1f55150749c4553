"""Reusable widgets and text helpers of the interface."""
