"""The superior committee's oversight of its cells: meeting quality (Q1–Q3, ``quality``),
supervision and inspection (S1–S3, ``supervision``), members' notebooks (S2, ``notebook``) and
the pilot as a programme (V1–V3, ``programme``); the reports they feed (``reports``)."""
