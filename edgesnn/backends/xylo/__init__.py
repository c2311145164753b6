"""Xylo IMU (SynSense SYNS63300) backend: integer SNN simulation through Rockpool's XyloSim."""
