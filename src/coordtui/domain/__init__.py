"""The domain layer: periods, working days, records and findings.

It imports nothing of Textual, TinyDB or pluggy (a test keeps it so), so that
rules and plugins can be reasoned about and tested as plain Python.
"""
