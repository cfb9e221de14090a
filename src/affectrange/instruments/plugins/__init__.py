"""Licensed instruments as scoring-only plug-ins: item ids and scoring ship, their text never does.

Each instrument's item text and answer labels come from a file the host is licensed to hold
(`affectrange.instruments.load_licensed_text`; the format is in ../LICENSED_TEXT.md).
SCIENCE.md section 0.2 says why: ODQ (Oxford University Innovation), SHAPS (British Journal of
Psychiatry), WSAS (I. M. Marks) and DAST-10 (Skinner/CAMH, non-commercial use only) may not be
shipped with their text in this GPL project.
"""
