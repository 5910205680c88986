"""What people read: results folders, CSV and Parquet tables, charts, report.html, translations.

Docstring only: Matplotlib is imported by ``charts``, and only once the runs are under way.
"""
