"""Development tools that are neither shipped nor generated."""
