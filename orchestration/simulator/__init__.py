"""Source-system simulator: daily core-banking extracts with planted personas and truths.

    from orchestration.simulator import SimulationConfig, generate
    summary = generate(SimulationConfig(customers=10_000, months=24, seed=42), Path("data"))

See docs/simulator.md for what is simulated and how the truth files are laid out.
"""

from .config import SimulationConfig, SimulationSummary
from .engine import generate

__all__ = ["SimulationConfig", "SimulationSummary", "generate"]
