"""Settings: one base class, a prefix per service, and the Kafka connection built from them."""


def test_kafka_connection_carries_sasl_and_tls_only_when_configured(tmp_path):
    import ssl

    from probation_shared.settings import PlatformSettings

    plain = PlatformSettings(kafka_bootstrap_servers="k:9092").kafka_connection()
    assert plain == {"bootstrap_servers": "k:9092", "security_protocol": "PLAINTEXT"}
    secured = PlatformSettings(
        kafka_bootstrap_servers="k:9093", kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="svc", kafka_sasl_password="pw",
    ).kafka_connection()
    assert secured["sasl_mechanism"] == "SCRAM-SHA-512" and secured["sasl_plain_username"] == "svc"
    assert isinstance(secured["ssl_context"], ssl.SSLContext)


def test_each_service_reads_its_own_prefix(monkeypatch):
    from case_allocation.settings import CaseAllocationSettings
    from risk_assessment.settings import RiskAssessmentSettings

    monkeypatch.setenv("CASE_ALLOCATION_KAFKA_BOOTSTRAP_SERVERS", "a:1")
    monkeypatch.setenv("RISK_ASSESSMENT_KAFKA_BOOTSTRAP_SERVERS", "b:2")
    assert CaseAllocationSettings().kafka_bootstrap_servers == "a:1"
    assert RiskAssessmentSettings().kafka_bootstrap_servers == "b:2"
    assert CaseAllocationSettings().topic("x.events") == "x.events"
    assert CaseAllocationSettings(kafka_topic_prefix="staging.").topic("x.events") == "staging.x.events"


def test_today_is_the_england_and_wales_date_and_can_be_fixed():
    from datetime import date, datetime

    from probation_shared import clock

    assert clock.today() == datetime.now(clock.LONDON).date()
    with clock.fixed_today(date(2030, 1, 2)):
        assert clock.today() == date(2030, 1, 2)
    assert clock.today() != date(2030, 1, 2)
