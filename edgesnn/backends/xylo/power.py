"""What a Xylo IMU would spend on this network: cycles, the clock it needs, and published power.

Per time step the core spends ``cycles(p_in, p_hid)`` master-clock cycles (``cycles.py``,
Rockpool's model; ``p`` the probability that an input channel / a hidden neuron has at least one
event in a step — measured rates clipped to 1, an upper bound when a neuron fires more than
once per step). At the HDK's default master clock ``f`` (50 MHz, Rockpool's
``imu_monitor.Default_Main_Clock_Rate``) the core is busy ``cycles / (f · dt)`` of each step.

SynSense publishes no energy per cycle or per operation for Xylo IMU (the datasheet figure is
"sub-mW"), so energy is bracketed with the measured power of the same SNN core family (Xylo
Audio 2, 28 nm): one window of ``T · dt`` seconds at a measured dynamic power ``P`` costs
``P · T · dt``. Those figures are for other networks on another interface; they say what a
Xylo draws, not what this network's operations cost (the target's cost table prices those).
"""

from __future__ import annotations

from typing import Any

from .cycles import cycles_per_step
from .spec import XyloSpec

HDK_CLOCK_HZ = 50e6
HDK_CLOCK_SOURCE = "Rockpool 3.1 devices/xylo/syns63300/imu_monitor.py: Default_Main_Clock_Rate = 50 MHz"
CYCLES_SOURCE = "Rockpool 3.1 devices/xylo/syns63300/power_cycles_model.py (cycles_model, est_clock_freq margin 20 %)"
#: measured power of Xylo devices (µW), with what was measured and where it was published
PUBLISHED_POWER_UW = (
    (
        "dynamic power, audio classification (Xylo Audio 2)",
        93.0,
        "Bos et al., 'Sub-mW neuromorphic SNN audio processing applications with Rockpool and Xylo', 2022",
    ),
    (
        "dynamic power, Aloha keyword spotting (Xylo Audio 2)",
        291.0,
        "Bos & Muir, 'Micro-power spoken keyword spotting on Xylo Audio 2', arXiv:2406.15112, 2024 (6.6 uJ per inference)",
    ),
    (
        "idle power (Xylo Audio 2)",
        219.0,
        "Bos et al., 'Sub-mW neuromorphic SNN audio processing applications with Rockpool and Xylo', 2022",
    ),
)


def device_figures(spec: XyloSpec, input_rate: float, hidden_rate: float, timesteps: int) -> dict[str, Any]:
    """The report's ``device`` section for ``spec`` at the measured rates (see the module docstring)."""
    p_in, p_hid = min(1.0, max(0.0, input_rate)), min(1.0, max(0.0, hidden_rate))
    dt = float(spec.dt)
    measured, worst = cycles_per_step(spec, p_in, p_hid), cycles_per_step(spec)
    window_s = timesteps * dt
    figures = [
        ("input channels with an event per step (p_in)", p_in, "", "measured on the test split, clipped to 1"),
        ("hidden neurons spiking per step (p_hid)", p_hid, "", "measured on the test split, clipped to 1"),
        ("cycles per step at the measured activity", measured, "cycles", CYCLES_SOURCE),
        ("cycles per step, worst case (every channel and neuron active)", worst, "cycles", CYCLES_SOURCE),
        ("clock for real time, measured activity (+20 %)", measured * 1.2 / dt, "Hz", CYCLES_SOURCE),
        ("clock for real time, worst case (+20 %)", worst * 1.2 / dt, "Hz", CYCLES_SOURCE),
        ("core busy per step at the HDK clock (50 MHz)", measured / (HDK_CLOCK_HZ * dt), "", HDK_CLOCK_SOURCE),
        ("window (T · dt)", window_s, "s", f"T = {timesteps} steps of dt = {dt:g} s"),
    ]
    for what, uw, source in PUBLISHED_POWER_UW:
        figures.append((f"window energy at the {what}", uw * window_s, "uJ", f"{uw:g} uW × T · dt; {source}"))
    return {
        "device": "SynSense Xylo IMU (SYNS63300)",
        "figures": [{"name": n, "value": float(v), "unit": u, "source": s} for n, v, u, s in figures],
        "notes": [
            "SynSense publishes no energy per cycle or per operation for Xylo IMU; the window energies "
            "bracket with measured Xylo Audio 2 power (same SNN core family), not this network's operations",
            "idle power is drawn whether or not the network is busy; on a real Xylo it dominates the dynamic part",
        ],
    }
