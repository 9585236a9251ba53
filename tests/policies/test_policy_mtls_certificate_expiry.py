"""alb-mtls-certificate-expiry: a verify-mode listener refuses expired client certificates."""

import pytest

from tests.policies import listener_actions
from tests.policies.policy_harness import ELB_ARN, as_preview, compliant_stack

POLICY = "alb-mtls-certificate-expiry"
TRUST_STORE = f"{ELB_ARN}:truststore/mtls-4229716396/2888c0599895a553"


def with_mtls(**mutual):
    stack = compliant_stack()
    stack["https"].inputs["mutualAuthentication"] = mutual
    return stack


def findings(run, stack):
    return listener_actions.findings(run, stack, POLICY)


@pytest.mark.parametrize(
    "setting", [{}, {"ignoreClientCertificateExpiry": False}], ids=["absent", "false"]
)
def test_verifying_with_expiry_checked_passes(run, setting):
    stack = with_mtls(mode="verify", trustStoreArn=TRUST_STORE, **setting)
    assert findings(run, stack) == []
    assert findings(run, as_preview(stack)) == []


@pytest.mark.parametrize("mode", ["verify", "VERIFY"])
def test_accepting_expired_certificates_is_advised_against(run, mode):
    stack = with_mtls(mode=mode, trustStoreArn=TRUST_STORE, ignoreClientCertificateExpiry=True)
    assert findings(run, stack) == [
        (
            "https",
            "advisory",
            f"Listener 'https' verifies client certificates against {TRUST_STORE} but accepts "
            "expired ones (mutualAuthentication.ignoreClientCertificateExpiry is true).",
        )
    ]


def test_passthrough_and_no_mutual_tls_are_out_of_scope(run):
    assert findings(run, with_mtls(mode="passthrough")) == []
    assert findings(run, with_mtls(mode="off", ignoreClientCertificateExpiry=True)) == []
    assert findings(run, compliant_stack()) == []


@pytest.mark.parametrize(
    ("store", "named"), [(None, "its trust store"), ("arn:aws:elasticloadbalancing:ts", None)]
)
def test_the_message_names_the_trust_store_when_known(run, store, named):
    stack = compliant_stack()
    stack["https"].inputs["mutualAuthentication"] = {
        "mode": "verify",
        "ignoreClientCertificateExpiry": True,
        **({"trustStoreArn": store} if store else {}),
    }
    assert [
        (f.resource, f.level, f.message.splitlines()[-1])
        for f in run(stack)
        if f.policy == "alb-mtls-certificate-expiry"
    ] == [
        (
            "https",
            "advisory",
            f"Listener 'https' verifies client certificates against {named or store} but accepts "
            "expired ones (mutualAuthentication.ignoreClientCertificateExpiry is true).",
        )
    ]
