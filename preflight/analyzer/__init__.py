"""Run CrossGuard policy packs the way the Pulumi engine does, over the Analyzer gRPC protocol.

ctx = StackContext(project="alb", stack="dev", config={"alb:internal": "false"})
with PolicyPackSession.start(Path("policies"), context=ctx) as session:  # returns at once
    ...  # run the program meanwhile
    result = session.analyze(records)
"""

from preflight.analyzer.config import PolicyConfig, load_policy_config
from preflight.analyzer.errors import PolicyPackError
from preflight.analyzer.session import (
    AnalysisResult,
    NotApplicable,
    PolicyInfo,
    PolicyPackSession,
    StackContext,
)

__all__ = [
    "AnalysisResult",
    "NotApplicable",
    "PolicyConfig",
    "PolicyInfo",
    "PolicyPackError",
    "PolicyPackSession",
    "StackContext",
    "load_policy_config",
]
