"""An app team's service on the ALB platform: an ECS Fargate service in a platform target group.

Everything about the load balancer comes from the platform stack's outputs (docs/outputs.md):
the service's target group (`targetGroups.<service>`: its ARN and the container port) and the
load balancer's security group (`securityGroupId`), the only source the tasks accept traffic
from.

With `consumer:blueGreen: true` the service deploys blue/green with ECS's own deployment
controller. The platform service must then have `deployment.strategy: external`: the platform
creates both target groups and both listener rules, and ECS shifts the weights (the platform
ignores exactly those, so `pulumi up` on the platform never reverts a shift).
"""

import json
from typing import Any

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
service_name = config.get("service") or "api"
image = config.get("image") or "public.ecr.aws/nginx/nginx:stable"
desired_count = config.get_int("desiredCount") or 2
blue_green = config.get_bool("blueGreen") or False

platform = pulumi.StackReference(config.require("platformStack"))
security_group_id = platform.require_output("securityGroupId")


def _our_target_group(groups: dict[str, Any]) -> dict[str, Any]:
    if service_name not in groups:
        raise pulumi.RunError(
            f"consumer:service: the platform has no service {service_name!r} "
            f"(its targetGroups: {', '.join(sorted(groups))})"
        )
    group = groups[service_name]
    # Fargate tasks (awsvpc networking) register by IP address.
    if group["targetType"] != "ip":
        raise pulumi.RunError(
            f"consumer:service: the platform's {service_name!r} target group has targetType "
            f"{group['targetType']!r}; an ECS Fargate service needs an 'ip' target group"
        )
    if blue_green and "alternate" not in group:
        raise pulumi.RunError(
            f"consumer:blueGreen: the platform's {service_name!r} service has no deployment; "
            "set its deployment.strategy to external (with a testListenerPort for test traffic)"
        )
    return group


target_group = platform.require_output("targetGroups").apply(_our_target_group)
target_group_arn = target_group.apply(lambda group: str(group["arn"]))
port = target_group.apply(lambda group: int(group["port"]))

# The platform's dev stack runs in the default VPC; otherwise name the VPC the platform uses.
vpc_id = config.get("vpcId") or aws.ec2.get_vpc(default=True).id
subnet_ids = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc_id]}]).ids
# Default-VPC subnets have no NAT gateway: tasks need a public IP to pull their image. The
# security group below still admits only the load balancer.
assign_public_ip = config.get_bool("assignPublicIp")
if assign_public_ip is None:
    assign_public_ip = config.get("vpcId") is None

tasks_security_group = aws.ec2.SecurityGroup(
    f"{service_name}-tasks",
    vpc_id=vpc_id,
    description=f"{service_name} tasks: traffic from the platform load balancer only",
)
aws.vpc.SecurityGroupIngressRule(
    f"{service_name}-from-alb",
    security_group_id=tasks_security_group.id,
    referenced_security_group_id=security_group_id,
    ip_protocol="tcp",
    from_port=port,
    to_port=port,
    description="The platform ALB (requests and health checks)",
)
aws.vpc.SecurityGroupEgressRule(
    f"{service_name}-https-out",
    security_group_id=tasks_security_group.id,
    cidr_ipv4="0.0.0.0/0",
    ip_protocol="tcp",
    from_port=443,
    to_port=443,
    description="Image pulls and AWS APIs",
)

cluster = aws.ecs.Cluster(
    f"{service_name}-cluster",
    settings=[{"name": "containerInsights", "value": "enabled"}],
)
logs = aws.cloudwatch.LogGroup(f"{service_name}-logs", retention_in_days=30)


def service_role(name: str, service: str, managed_policy_arn: str) -> aws.iam.Role:
    """A role that an AWS service assumes, with one AWS managed policy."""
    role = aws.iam.Role(
        name,
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": service},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    aws.iam.RolePolicyAttachment(name, role=role.name, policy_arn=managed_policy_arn)
    return role


execution_role = service_role(
    f"{service_name}-execution",
    "ecs-tasks.amazonaws.com",
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)

region = aws.get_region().region
task_definition = aws.ecs.TaskDefinition(
    service_name,
    family=f"{service_name}-{pulumi.get_stack()}",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution_role.arn,
    container_definitions=pulumi.Output.all(port, logs.name).apply(
        lambda values: json.dumps(
            [
                {
                    "name": service_name,
                    "image": image,
                    "essential": True,
                    "portMappings": [{"containerPort": values[0], "protocol": "tcp"}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": values[1],
                            "awslogs-region": region,
                            "awslogs-stream-prefix": service_name,
                        },
                    },
                }
            ]
        )
    ),
)

load_balancer: aws.ecs.ServiceLoadBalancerArgsDict = {
    "target_group_arn": target_group_arn,
    "container_name": service_name,
    "container_port": port,
}
blue_green_options: dict[str, Any] = {}
if blue_green:
    # ECS modifies the platform's listener rules during a deployment, with this role
    # ("Amazon ECS infrastructure IAM role for load balancers", ECS developer guide).
    load_balancer_role = service_role(
        f"{service_name}-ecs-load-balancers",
        "ecs.amazonaws.com",
        "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
    )
    load_balancer["advanced_configuration"] = {
        "alternate_target_group_arn": target_group.apply(
            lambda group: str(group["alternate"]["arn"])
        ),
        "production_listener_rule": target_group.apply(lambda group: str(group["listenerRuleArn"])),
        # Optional: without the platform's test listener, ECS shifts without test traffic.
        "test_listener_rule": target_group.apply(lambda group: group.get("testListenerRuleArn")),
        "role_arn": load_balancer_role.arn,
    }
    blue_green_options = {
        "deployment_controller": {"type": "ECS"},
        "deployment_configuration": {"strategy": "BLUE_GREEN", "bake_time_in_minutes": "5"},
    }

service = aws.ecs.Service(
    service_name,
    cluster=cluster.arn,
    task_definition=task_definition.arn,
    desired_count=desired_count,
    launch_type="FARGATE",
    network_configuration={
        "subnets": subnet_ids,
        "security_groups": [tasks_security_group.id],
        "assign_public_ip": assign_public_ip,
    },
    load_balancers=[load_balancer],
    # Time for a new task to pass the platform's health check before ECS judges it.
    health_check_grace_period_seconds=60,
    deployment_circuit_breaker={"enable": True, "rollback": True},
    propagate_tags="SERVICE",
    **blue_green_options,
)

pulumi.export("serviceName", service.name)
pulumi.export("clusterArn", cluster.arn)
pulumi.export("url", platform.require_output("url"))
