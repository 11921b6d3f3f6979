"""The brief pipeline: normalize -> map (summary, claims, figures per chunk) -> reduce -> verify."""
