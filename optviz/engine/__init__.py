"""The trajectory engine: one compiled kernel for every surface, optimizer and schedule."""
