"""GVT-tiny training and export: the Python side of the GVT Web model package."""
