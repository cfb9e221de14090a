"""The appointment report: one person's record over a period, as a web page and a PDF."""
