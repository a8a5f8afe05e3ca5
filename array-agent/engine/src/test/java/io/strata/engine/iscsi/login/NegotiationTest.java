package io.strata.engine.iscsi.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NegotiationTest {
  private final TargetLimits limits = new TargetLimits(262_144, 1_048_576, 262_144, 8, 4, 0, 128);

  private LinkedHashMap<String, String> answer(Negotiation n, Map<String, String> offers)
      throws LoginFailure {
    LinkedHashMap<String, String> answers = new LinkedHashMap<>();
    n.answer(new LinkedHashMap<>(offers), answers);
    return answers;
  }

  @Test
  void everyKeyFollowsItsRule() throws LoginFailure {
    Negotiation n = new Negotiation(limits, false, true);
    LinkedHashMap<String, String> offers = new LinkedHashMap<>();
    offers.put("HeaderDigest", "CRC32C,None");
    offers.put("DataDigest", "None,CRC32C");
    offers.put("MaxRecvDataSegmentLength", "65536");
    offers.put("MaxBurstLength", "16776192"); // min with ours
    offers.put("FirstBurstLength", "4096"); // min: theirs is smaller
    offers.put("ImmediateData", "Yes"); // AND
    offers.put("InitialR2T", "No"); // OR with our No
    offers.put("MaxOutstandingR2T", "16");
    offers.put("DataPDUInOrder", "No"); // OR with our Yes
    offers.put("DataSequenceInOrder", "Yes");
    offers.put("ErrorRecoveryLevel", "2");
    offers.put("MaxConnections", "4");
    offers.put("DefaultTime2Wait", "0"); // max
    offers.put("DefaultTime2Retain", "60"); // min
    LinkedHashMap<String, String> answers = answer(n, offers);

    assertThat(answers)
        .containsEntry("HeaderDigest", "CRC32C")
        .containsEntry("DataDigest", "None")
        .containsEntry("MaxRecvDataSegmentLength", "262144") // declares ours
        .containsEntry("MaxBurstLength", "1048576")
        .containsEntry("FirstBurstLength", "4096")
        .containsEntry("ImmediateData", "Yes")
        .containsEntry("InitialR2T", "No")
        .containsEntry("MaxOutstandingR2T", "4")
        .containsEntry("DataPDUInOrder", "Yes")
        .containsEntry("DataSequenceInOrder", "Yes")
        .containsEntry("ErrorRecoveryLevel", "0")
        .containsEntry("MaxConnections", "4")
        .containsEntry("DefaultTime2Wait", "2")
        .containsEntry("DefaultTime2Retain", "20");
    assertThat(answers.keySet()).containsExactlyElementsOf(offers.keySet());

    OperationalParameters p = n.result();
    assertThat(p.headerDigest()).isTrue();
    assertThat(p.dataDigest()).isFalse();
    assertThat(p.initiatorMaxRecvDataSegmentLength()).isEqualTo(65536);
    assertThat(p.targetMaxRecvDataSegmentLength()).isEqualTo(262144);
    assertThat(p.firstBurstLength()).isEqualTo(4096);
    assertThat(p.initialR2T()).isFalse();
    assertThat(p.maxOutstandingR2T()).isEqualTo(4);
    assertThat(p.maxConnections()).isEqualTo(4);
  }

  @Test
  void initiatorThatWantsR2TAndNoImmediateDataGetsIt() throws LoginFailure {
    Negotiation n = new Negotiation(limits, false, true);
    answer(n, Map.of("InitialR2T", "Yes", "ImmediateData", "No"));
    assertThat(n.result().initialR2T()).isTrue();
    assertThat(n.result().immediateData()).isFalse();
  }

  @Test
  void badBooleansAreRejectedAndKeepTheDefault() throws LoginFailure {
    Negotiation n = new Negotiation(limits, false, true);
    LinkedHashMap<String, String> answers = answer(n, Map.of("ImmediateData", "Maybe"));
    assertThat(answers).containsEntry("ImmediateData", "Reject");
    assertThat(n.result().immediateData()).isTrue();
  }

  @Test
  void numbersOutsideTheirRfcRangeFailTheLoginAsAnInitiatorError() {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("MaxRecvDataSegmentLength", "100");
    bad.put("MaxBurstLength", "16777216");
    bad.put("FirstBurstLength", "x");
    bad.put("MaxConnections", "0");
    bad.put("MaxOutstandingR2T", "65536");
    bad.put("DefaultTime2Wait", "3601");
    bad.put("DefaultTime2Retain", "-1");
    bad.put("ErrorRecoveryLevel", "3");
    bad.forEach((key, value) -> assertThatThrownBy(
            () -> answer(new Negotiation(limits, false, true), Map.of(key, value)))
        .as(key + "=" + value)
        .isInstanceOfSatisfying(LoginFailure.class,
            f -> assertThat(f.status).isEqualTo(LoginStatus.INITIATOR_ERROR))
        .hasMessageContaining(key + "=" + value));
  }

  @Test
  void unknownKeysAreNotUnderstood() throws LoginFailure {
    assertThat(answer(new Negotiation(limits, false, true), Map.of("X-com.example.Foo", "1")))
        .containsEntry("X-com.example.Foo", "NotUnderstood");
  }

  @Test
  void sessionKeysAreIrrelevantInDiscovery() throws LoginFailure {
    assertThat(answer(new Negotiation(limits, true, true), Map.of("MaxBurstLength", "4096", "InitialR2T", "Yes")))
        .containsEntry("MaxBurstLength", "Irrelevant")
        .containsEntry("InitialR2T", "Irrelevant");
  }

  @Test
  void aDigestListWithNothingWeKnowFailsTheLogin() {
    assertThatThrownBy(() -> answer(new Negotiation(limits, false, true), Map.of("HeaderDigest", "MD5")))
        .isInstanceOf(LoginFailure.class);
  }

  @Test
  void textWithoutEqualsSignIsMalformed() {
    assertThatThrownBy(() -> TextParameters.parse("InitiatorName\0".getBytes()))
        .isInstanceOf(TextParameters.MalformedTextException.class);
    assertThatThrownBy(() -> TextParameters.parse("A=1\0A=2\0".getBytes()))
        .isInstanceOf(TextParameters.MalformedTextException.class);
  }

  // ------------------------------------------------------------------ iSER (RFC 7145)

  @Test
  void iserConnectionAgreesRdmaExtensionsAndTheIserLengths() throws LoginFailure {
    Negotiation n = new Negotiation(limits, false, true, true);
    LinkedHashMap<String, String> offers = new LinkedHashMap<>();
    offers.put("RDMAExtensions", "Yes");
    offers.put("MaxRecvDataSegmentLength", "262144");
    offers.put("TargetRecvDataSegmentLength", "65536"); // min with our 8192
    offers.put("InitiatorRecvDataSegmentLength", "4096"); // min with theirs
    offers.put("MaxOutstandingUnexpectedPDUs", "0");
    LinkedHashMap<String, String> answers = answer(n, offers);

    assertThat(answers)
        .containsEntry("RDMAExtensions", "Yes")
        .containsEntry("MaxRecvDataSegmentLength", "8192") // what our receive buffers hold
        .containsEntry("TargetRecvDataSegmentLength", "8192")
        .containsEntry("InitiatorRecvDataSegmentLength", "4096")
        .containsEntry("MaxOutstandingUnexpectedPDUs", "0");
    OperationalParameters p = n.result();
    assertThat(n.rdmaExtensions()).isTrue();
    assertThat(p.targetMaxRecvDataSegmentLength()).isEqualTo(8192);
    assertThat(p.initiatorMaxRecvDataSegmentLength()).isEqualTo(4096);
  }

  @Test
  void tcpConnectionAnswersNoToRdmaExtensionsAndIgnoresTheIserKeys() throws LoginFailure {
    Negotiation n = new Negotiation(limits, false, true, false);
    LinkedHashMap<String, String> answers =
        answer(n, Map.of("RDMAExtensions", "Yes", "TargetRecvDataSegmentLength", "8192"));
    assertThat(answers)
        .containsEntry("RDMAExtensions", "No")
        .containsEntry("TargetRecvDataSegmentLength", "Irrelevant");
    assertThat(n.rdmaExtensions()).isFalse();
    assertThat(n.result().targetMaxRecvDataSegmentLength()).isEqualTo(262_144);
  }

  @Test
  void iserLoginWithoutRdmaExtensionsFails() throws LoginFailure {
    Negotiation n = new Negotiation(limits, false, true, true);
    answer(n, Map.of("RDMAExtensions", "No"));
    assertThatThrownBy(n::result)
        .isInstanceOf(LoginFailure.class)
        .hasMessageContaining("RDMAExtensions=Yes is required");
  }

  @Test
  void iserRefusesDigests() throws LoginFailure {
    Negotiation n = new Negotiation(limits, false, true, true);
    answer(n, Map.of("RDMAExtensions", "Yes", "HeaderDigest", "CRC32C"));
    assertThatThrownBy(n::result).hasMessageContaining("digests");
  }

  @Test
  void iserLengthsOutOfRangeFailTheLogin() {
    Negotiation n = new Negotiation(limits, false, true, true);
    assertThatThrownBy(() -> answer(n, Map.of("RDMAExtensions", "Yes",
        "TargetRecvDataSegmentLength", "12")))
        .hasMessageContaining("TargetRecvDataSegmentLength=12 is not a number from 512");
  }
}
