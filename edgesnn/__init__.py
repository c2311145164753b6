"""edgesnn: spiking neural networks from training to small devices.

Train (snnTorch) under a hardware profile, export through NIR to Lava and ONNX Runtime,
evaluate on the device runtime, package for an edge demo::

    import edgesnn
    run = edgesnn.train("digits", "wearable", out="runs/digits")
    exp = edgesnn.export("runs/digits", "onnx")
    report = edgesnn.evaluate(exp.out, dataset="digits")

Importing the package is cheap; each entry point imports its heavy dependencies when called.
"""

__version__ = "0.1.0"

_LAZY = {
    "train": ("edgesnn.train", "train"),
    "load": ("edgesnn.loading", "load"),
    "export": ("edgesnn.export", "export"),
    "evaluate": ("edgesnn.evaluation", "evaluate"),
    "to_nir": ("edgesnn.models.to_nir", "to_nir"),
    "simulate": ("edgesnn.nir", "simulate"),
    "load_profile": ("edgesnn.config", "load_profile"),
    "load_target": ("edgesnn.config", "load_target"),
    "load_recipe": ("edgesnn.config", "load_recipe"),
}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'edgesnn' has no attribute '{name}'")


__all__ = sorted(_LAZY)
