"""Profiles (what the application can afford) and targets (where the model runs)."""

from .checks import Check, check_profile
from .loader import builtin_names, list_profiles, list_targets, load_profile, load_target
from .schema import EnergyTable, Limits, Numerics, Profile, Target

__all__ = [
    "Check", "EnergyTable", "Limits", "Numerics", "Profile", "Target", "builtin_names",
    "check_profile", "list_profiles", "list_targets", "load_profile", "load_target",
]
