"""Pure analysis core: NumPy/SciPy only, arrays and dates in, frozen dataclasses out.

Nothing in this package may import from the web or database side (a test checks it).
"""
