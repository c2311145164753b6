"""edgesnn: spiking neural networks from training to small devices.

Train (snnTorch) under a hardware profile, export through NIR to Lava and ONNX Runtime,
evaluate on the device runtime, package for an edge demo.
"""

__version__ = "0.1.0"
