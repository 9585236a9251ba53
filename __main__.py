"""The ALB platform for one stack: parse the config once, then build one Platform."""

import pulumi

from components.config import (
    ConfigError,
    current_pulumi_config,
    current_secret_keys,
    parse_stack_config,
)
from components.network import resolve_network
from components.platform import Platform, PlatformArgs


def main() -> None:
    stack = pulumi.get_stack()
    try:
        config = parse_stack_config(
            current_pulumi_config(), stack=stack, secret_keys=current_secret_keys()
        )
        network = resolve_network(config)
    except ConfigError as error:
        # RunError is reported by the language host as a message, without a traceback.
        problems = "\n".join(f"  {problem}" for problem in error.problems)
        raise pulumi.RunError(f"invalid configuration for stack {stack!r}:\n{problems}") from None
    platform = Platform(f"alb-{stack}", PlatformArgs(config=config, network=network))
    for name, value in platform.outputs.items():
        pulumi.export(name, value)


main()
