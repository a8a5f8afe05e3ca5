package io.strata.engine.transport.iser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.iscsi.pdu.LoginRequest;
import io.strata.engine.iscsi.pdu.NopOut;
import io.strata.engine.iscsi.pdu.ScsiCommandPdu;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IserMessagesTest {
  private static final LoginRequest LOGIN =
      new LoginRequest(
          true, false, 1, 3, 0, 0, 0x23d000000001L, 0, 7, 0, 1, 0,
          ByteBuffer.wrap("InitiatorName=iqn.x\0RDMAExtensions=Yes\0".getBytes(StandardCharsets.US_ASCII)));

  @Test
  void headerRoundTripsWithStagsAndValidBits() {
    IserHeader header =
        new IserHeader(IserHeader.ISCSI_CONTROL | IserHeader.WSV | IserHeader.RSV,
            0x1234, 0x7f00_0000_1000L, 0x5678, 0x7f00_0000_9000L);
    ByteBuffer out = ByteBuffer.allocate(IserHeader.LENGTH);
    header.encode(out);
    assertThat(out.position()).isEqualTo(28);
    IserHeader back = IserHeader.decode(out.flip());
    assertThat(back).isEqualTo(header);
    assertThat(back.writeValid()).isTrue();
    assertThat(back.readValid()).isTrue();
    assertThat(back.opcode()).isEqualTo(IserHeader.ISCSI_CONTROL);
  }

  @Test
  void loginMessageDecodesToTheLoginRequest() throws Exception {
    byte[] message = IserMessages.encodeToBytes(IserHeader.TARGET_CONTROL, LOGIN);
    IserMessages.Received in = IserMessages.decode(ByteBuffer.wrap(message), 8192);
    assertThat(in.failure()).isNull();
    LoginRequest login = (LoginRequest) in.pdu();
    assertThat(login.isid()).isEqualTo(0x23d000000001L);
    assertThat(StandardCharsets.US_ASCII.decode(login.data()).toString()).contains("RDMAExtensions=Yes");
  }

  @Test
  void dataSegmentWithoutItsPadBytesIsAccepted() throws Exception {
    // The Linux initiator sends exactly DataSegmentLength bytes, without padding to 4.
    NopOut nop = new NopOut(true, 0, 9, -1, 1, 1, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
    byte[] padded = IserMessages.encodeToBytes(IserHeader.TARGET_CONTROL, nop);
    byte[] unpadded = Arrays.copyOf(padded, IserMessages.HEADERS_LENGTH + 5);
    NopOut back = (NopOut) IserMessages.decode(ByteBuffer.wrap(unpadded), 8192).pdu();
    assertThat(back.data().remaining()).isEqualTo(5);
    assertThat(IserMessages.decode(ByteBuffer.wrap(padded), 8192).pdu()).isInstanceOf(NopOut.class);
  }

  @Test
  void commandKeepsTheInitiatorsStags() throws Exception {
    ScsiCommandPdu read =
        new ScsiCommandPdu(false, true, true, false, 1, 0, 42, 4096, 5, 3,
            new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0}, ByteBuffer.allocate(0));
    IserHeader header = new IserHeader(IserHeader.ISCSI_CONTROL | IserHeader.RSV, 0, 0, 0xabc, 0x1000);
    IserMessages.Received in =
        IserMessages.decode(ByteBuffer.wrap(IserMessages.encodeToBytes(header, read)), 8192);
    assertThat(in.header().readStag()).isEqualTo(0xabc);
    assertThat(((ScsiCommandPdu) in.pdu()).itt()).isEqualTo(42);
  }

  @Test
  void messageShorterThanTheIserHeaderIsMalformed() {
    assertThatThrownBy(() -> IserMessages.decode(ByteBuffer.allocate(10), 8192))
        .isInstanceOf(IserMessages.MalformedMessage.class)
        .hasMessageContaining("shorter than the iSER header");
  }

  @Test
  void loginShorterThanTheIserAndIscsiHeadersIsMalformed() {
    byte[] message = IserMessages.encodeToBytes(IserHeader.TARGET_CONTROL, LOGIN);
    for (int cut : new int[] {28, 40, 75}) {
      assertThatThrownBy(() -> IserMessages.decode(ByteBuffer.wrap(message, 0, cut), 8192))
          .isInstanceOf(IserMessages.MalformedMessage.class)
          .hasMessageContaining("shorter than the iSER and iSCSI headers");
    }
  }

  @Test
  void dataSegmentLengthPointingPastTheMessageIsMalformed() {
    byte[] message = IserMessages.encodeToBytes(IserHeader.TARGET_CONTROL, LOGIN);
    byte[] cut = Arrays.copyOf(message, message.length - 8);
    assertThatThrownBy(() -> IserMessages.decode(ByteBuffer.wrap(cut), 8192))
        .isInstanceOf(IserMessages.MalformedMessage.class)
        .hasMessageContaining("does not match its headers");
    byte[] longer = Arrays.copyOf(message, message.length + 16);
    assertThatThrownBy(() -> IserMessages.decode(ByteBuffer.wrap(longer), 8192))
        .isInstanceOf(IserMessages.MalformedMessage.class);
  }

  @Test
  void dataSegmentAboveTheAgreedLimitIsMalformed() {
    byte[] message = IserMessages.encodeToBytes(IserHeader.TARGET_CONTROL, LOGIN);
    assertThatThrownBy(() -> IserMessages.decode(ByteBuffer.wrap(message), 16))
        .isInstanceOf(IserMessages.MalformedMessage.class)
        .hasMessageContaining("exceeds the agreed 16");
  }

  @Test
  void helloAndUnknownOpcodesAreMalformed() {
    byte[] message = IserMessages.encodeToBytes(IserHeader.TARGET_CONTROL, LOGIN);
    message[0] = (byte) IserHeader.HELLO;
    assertThatThrownBy(() -> IserMessages.decode(ByteBuffer.wrap(message), 8192))
        .hasMessageContaining("not an iSCSI control PDU");
  }

  @Test
  void invalidPduInsideAWellFramedMessageIsAPduLevelFailure() throws Exception {
    byte[] message = IserMessages.encodeToBytes(IserHeader.TARGET_CONTROL, LOGIN);
    message[IserHeader.LENGTH] = 0x3f; // an opcode no initiator may send
    IserMessages.Received in = IserMessages.decode(ByteBuffer.wrap(message), 8192);
    assertThat(in.pdu()).isNull();
    assertThat(in.failure()).isNotNull();
    assertThat(in.failure().fatal()).isFalse();
  }
}
