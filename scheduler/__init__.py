"""Mammapoli's scheduling engine: plans same-morning breast-clinic pathways with CP-SAT.

Pure Python (standard library and ortools); no Django import anywhere in this package.
"""
