"""The code that runs inside a job and inside an exported zip.

Standard library only, and no Django import: this package is copied verbatim
into every execution bundle.
"""
