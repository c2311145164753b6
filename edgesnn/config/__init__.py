"""Profiles (what the application can afford), targets (where the model runs) and recipes
(measured hyper-parameters, ``--set @NAME``)."""

from .checks import Check, check_profile
from .loader import (
    TARGET_FILE,
    builtin_names,
    export_target,
    list_profiles,
    list_targets,
    load_profile,
    load_recipe,
    load_target,
    save_target,
)
from .schema import EnergyTable, Limits, Numerics, Profile, Target

__all__ = [
    "TARGET_FILE",
    "export_target",
    "save_target",
    "Check",
    "EnergyTable",
    "Limits",
    "Numerics",
    "Profile",
    "Target",
    "builtin_names",
    "check_profile",
    "list_profiles",
    "list_targets",
    "load_profile",
    "load_recipe",
    "load_target",
]
