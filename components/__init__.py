"""Components of the ALB platform; `Platform` composes them for one stack."""
