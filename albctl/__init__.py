"""albctl: what on-call engineers and deploy pipelines ask of a running stack (SPEC §7).

``status`` shows each service's targets, the last hour's traffic, errors and latency, the load
balancer's own 5XX and the stack's alarms in ALARM; ``wait`` blocks until a service has enough
healthy targets. Everything is read from the stack outputs (docs/outputs.md) and from AWS with
boto3's standard credential chain.
"""
