"""edgesnn's own Lava processes (imported only inside a Lava run; Lava scans this package for models)."""
