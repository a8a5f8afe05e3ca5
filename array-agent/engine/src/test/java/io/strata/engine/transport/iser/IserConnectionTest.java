package io.strata.engine.transport.iser;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.iscsi.pdu.DataIn;
import io.strata.engine.iscsi.pdu.DataOut;
import io.strata.engine.iscsi.pdu.DecodeFailure;
import io.strata.engine.iscsi.pdu.LoginRequest;
import io.strata.engine.iscsi.pdu.Pdu;
import io.strata.engine.iscsi.pdu.PduCodec;
import io.strata.engine.iscsi.pdu.ReadyToTransfer;
import io.strata.engine.iscsi.pdu.ScsiCommandPdu;
import io.strata.engine.iscsi.pdu.ScsiResponsePdu;
import io.strata.engine.transport.PduHandler;
import io.strata.engine.transport.Portal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The RFC 7145 datamover mapping, against a recording fake of the RDMA operations. */
class IserConnectionTest {
  private static final byte[] READ10 = {0x28, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0};
  private static final byte[] WRITE10 = {0x2a, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0};

  record Write(byte[] data, long address, int rkey) {}

  record Read(long address, int rkey, int length, Consumer<ByteBuffer> done) {}

  static final class FakeRdma implements RdmaOperations {
    final List<String> order = new ArrayList<>();
    final List<byte[]> sends = new ArrayList<>();
    final List<Write> writes = new ArrayList<>();
    final List<Read> reads = new ArrayList<>();
    boolean disconnected;

    @Override
    public void send(ByteBuffer message) {
      byte[] b = new byte[message.remaining()];
      message.get(b);
      sends.add(b);
      order.add("send");
    }

    @Override
    public void rdmaWrite(ByteBuffer data, long remoteAddress, int rkey) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      writes.add(new Write(b, remoteAddress, rkey));
      order.add("write");
    }

    @Override
    public void rdmaRead(long remoteAddress, int rkey, int length, Consumer<ByteBuffer> done) {
      reads.add(new Read(remoteAddress, rkey, length, done));
      order.add("read");
    }

    @Override
    public int maxReadLength() {
      return 4096;
    }

    @Override
    public void disconnect() {
      disconnected = true;
    }

    @Override
    public String remoteAddress() {
      return "fake";
    }
  }

  static final class Recorder implements PduHandler {
    final List<Pdu> pdus = new ArrayList<>();
    final List<DecodeFailure> failures = new ArrayList<>();
    boolean closed;

    @Override
    public void received(Pdu pdu) {
      pdus.add(pdu);
    }

    @Override
    public void malformed(DecodeFailure failure) {
      failures.add(failure);
    }

    @Override
    public void closed() {
      closed = true;
    }
  }

  private final FakeRdma rdma = new FakeRdma();
  private final Recorder handler = new Recorder();
  private IserConnection connection;

  @BeforeEach
  void connect() {
    connection = new IserConnection(new Portal("127.0.0.1", 3260, 1), rdma);
    connection.handler(handler);
  }

  private void receive(IserHeader header, Pdu pdu) {
    connection.received(ByteBuffer.wrap(IserMessages.encodeToBytes(header, pdu)));
  }

  /** The iSCSI header of a message we sent (the codec decodes only initiator PDUs). */
  private static byte[] sentHeader(byte[] message) {
    return java.util.Arrays.copyOfRange(message, IserHeader.LENGTH, IserMessages.HEADERS_LENGTH);
  }

  @Test
  void dataInBecomesRdmaWritesThenAScsiResponse() {
    ScsiCommandPdu read =
        new ScsiCommandPdu(false, true, true, false, 1, 0, 77, 8192, 1, 1, READ10, Pdu.NO_DATA);
    receive(new IserHeader(IserHeader.ISCSI_CONTROL | IserHeader.RSV, 0, 0, 0x99, 0x10_0000L), read);
    assertThat(handler.pdus).singleElement().extracting(p -> ((ScsiCommandPdu) p).itt()).isEqualTo(77);

    byte[] first = new byte[4096];
    byte[] second = new byte[4096];
    first[0] = 1;
    second[0] = 2;
    connection.write(new DataIn(false, false, false, false, 0, 0, 77, 0, 0, 0, 0, 0, 0, ByteBuffer.wrap(first)));
    connection.write(new DataIn(true, false, false, true, 0, 0, 77, 5, 2, 130, 1, 4096, 0, ByteBuffer.wrap(second)));

    assertThat(rdma.order).containsExactly("write", "write", "send");
    assertThat(rdma.writes.get(0).address()).isEqualTo(0x10_0000L);
    assertThat(rdma.writes.get(1).address()).isEqualTo(0x10_0000L + 4096);
    assertThat(rdma.writes.get(1).rkey()).isEqualTo(0x99);
    assertThat(rdma.writes.get(1).data()[0]).isEqualTo((byte) 2);
    byte[] response = sentHeader(rdma.sends.get(0));
    assertThat(response[0] & 0x3f).isEqualTo(0x21); // SCSI Response
    assertThat(response[3]).isZero(); // GOOD
    assertThat(PduCodec.get32(response, 16)).isEqualTo(77); // ITT
    assertThat(PduCodec.get32(response, 24)).isEqualTo(5); // StatSN
    assertThat(PduCodec.get32(response, 32)).isEqualTo(130); // MaxCmdSN
  }

  @Test
  void r2tBecomesRdmaReadsDeliveredAsTheDataOutSequence() {
    ScsiCommandPdu write =
        new ScsiCommandPdu(false, true, false, true, 1, 0, 5, 10_000, 1, 1, WRITE10, Pdu.NO_DATA);
    receive(new IserHeader(IserHeader.ISCSI_CONTROL | IserHeader.WSV, 0x42, 0x20_0000L, 0, 0), write);

    connection.write(new ReadyToTransfer(0, 5, 11, 3, 2, 130, 0, 0, 10_000));
    assertThat(rdma.sends).isEmpty(); // no R2T reaches the initiator: the target reads
    assertThat(rdma.reads).extracting(Read::length).containsExactly(4096, 4096, 1808);
    assertThat(rdma.reads).extracting(Read::address)
        .containsExactly(0x20_0000L, 0x20_0000L + 4096, 0x20_0000L + 8192);
    assertThat(rdma.reads).extracting(Read::rkey).containsOnly(0x42);

    for (Read r : rdma.reads) {
      r.done().accept(ByteBuffer.allocate(r.length()));
    }
    List<DataOut> dataOuts =
        handler.pdus.stream().filter(p -> p instanceof DataOut).map(p -> (DataOut) p).toList();
    assertThat(dataOuts).extracting(DataOut::bufferOffset).containsExactly(0, 4096, 8192);
    assertThat(dataOuts).extracting(DataOut::dataSn).containsExactly(0, 1, 2);
    assertThat(dataOuts).extracting(DataOut::finalPdu).containsExactly(false, false, true);
    assertThat(dataOuts).extracting(DataOut::ttt).containsOnly(11);
  }

  @Test
  void writeVaStartsAfterTheImmediateData() {
    // The initiator sent 1000 bytes of immediate data; its write STag covers the rest only.
    ScsiCommandPdu write =
        new ScsiCommandPdu(false, true, false, true, 1, 0, 6, 9000, 1, 1, WRITE10,
            ByteBuffer.allocate(1000));
    receive(new IserHeader(IserHeader.ISCSI_CONTROL | IserHeader.WSV, 0x43, 0x30_0000L, 0, 0), write);
    connection.write(new ReadyToTransfer(0, 6, 12, 3, 2, 130, 0, 1000, 4096));
    connection.write(new ReadyToTransfer(0, 6, 13, 3, 2, 130, 1, 5096, 3904));
    assertThat(rdma.reads).extracting(Read::address)
        .containsExactly(0x30_0000L, 0x30_0000L + 4096);
    rdma.reads.get(0).done().accept(ByteBuffer.allocate(4096));
    DataOut first = (DataOut) handler.pdus.get(handler.pdus.size() - 1);
    assertThat(first.bufferOffset()).isEqualTo(1000);
    assertThat(first.finalPdu()).isTrue();
  }

  @Test
  void solicitedDataThatOvertakesUnsolicitedDataWaitsForIt() {
    // Immediate 1000 bytes, then 3096 unsolicited bytes in a Send; the R2T for the rest goes out
    // at once and its RDMA Read completes before the unsolicited Send arrives.
    ScsiCommandPdu write =
        new ScsiCommandPdu(false, false, false, true, 1, 0, 7, 8192, 1, 1, WRITE10,
            ByteBuffer.allocate(1000));
    receive(new IserHeader(IserHeader.ISCSI_CONTROL | IserHeader.WSV, 0x44, 0x40_0000L, 0, 0), write);
    connection.write(new ReadyToTransfer(0, 7, 14, 3, 2, 130, 0, 4096, 4096));
    rdma.reads.get(0).done().accept(ByteBuffer.allocate(4096));
    assertThat(handler.pdus).hasSize(1); // only the command so far: the read result waits

    receive(IserHeader.TARGET_CONTROL,
        new DataOut(true, 0, 7, 0xffffffff, 1, 0, 1000, ByteBuffer.allocate(3096)));
    assertThat(handler.pdus).extracting(p -> ((Object) p).getClass().getSimpleName())
        .containsExactly("ScsiCommandPdu", "DataOut", "DataOut");
    assertThat(((DataOut) handler.pdus.get(1)).bufferOffset()).isEqualTo(1000);
    assertThat(((DataOut) handler.pdus.get(2)).bufferOffset()).isEqualTo(4096);
    assertThat(((DataOut) handler.pdus.get(2)).data().remaining()).isEqualTo(4096);
  }

  @Test
  void shortLoginMessageClosesTheConnectionWithoutReachingTheIscsiLayer() {
    connection.received(ByteBuffer.allocate(40)); // iSER header plus 12 bytes of a BHS
    assertThat(rdma.disconnected).isTrue();
    assertThat(handler.pdus).isEmpty();
    assertThat(handler.failures).isEmpty();
    connection.received(
        ByteBuffer.wrap(IserMessages.encodeToBytes(IserHeader.TARGET_CONTROL, login())));
    assertThat(handler.pdus).isEmpty(); // nothing after the close
  }

  @Test
  void readCommandWithoutAReadStagClosesTheConnection() {
    ScsiCommandPdu read =
        new ScsiCommandPdu(false, true, true, false, 1, 0, 8, 512, 1, 1, READ10, Pdu.NO_DATA);
    receive(IserHeader.TARGET_CONTROL, read);
    assertThat(rdma.disconnected).isTrue();
    assertThat(handler.pdus).isEmpty();
  }

  @Test
  void controlPdusAreSentWithAnIserHeader() {
    receive(IserHeader.TARGET_CONTROL, login());
    ScsiResponsePdu response =
        new ScsiResponsePdu(false, false, 0, 2, 3, 4, 5, 6, 0, 0, ByteBuffer.wrap(new byte[] {0, 2, 0x70, 0}));
    connection.write(response);
    assertThat(rdma.sends.get(0)[0]).isEqualTo((byte) IserHeader.ISCSI_CONTROL);
    assertThat(sentHeader(rdma.sends.get(0))[3]).isEqualTo((byte) 2); // CHECK CONDITION
    assertThat(connection.rdmaCapable()).isTrue();
  }

  @Test
  void transportCloseReachesTheHandler() {
    connection.transportClosed();
    assertThat(handler.closed).isTrue();
  }

  private static LoginRequest login() {
    return new LoginRequest(true, false, 1, 3, 0, 0, 1, 0, 1, 0, 1, 0, Pdu.NO_DATA);
  }
}
