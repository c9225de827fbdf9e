"""Loading, validating, exporting, building and counting the graph (the data side of laokg)."""
