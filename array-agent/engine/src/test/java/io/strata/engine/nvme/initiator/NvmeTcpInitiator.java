package io.strata.engine.nvme.initiator;

import io.strata.engine.nvme.command.Status;
import io.strata.engine.nvme.fabrics.ConnectRequest;
import io.strata.engine.nvme.pdu.Framing;
import io.strata.engine.nvme.pdu.Pdu;
import io.strata.engine.nvme.pdu.PduReader;
import io.strata.engine.nvme.pdu.PduType;
import io.strata.engine.nvme.pdu.PduWriter;
import io.strata.engine.nvme.pdu.Pdus;
import io.strata.engine.nvme.pdu.ProtocolError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * A small blocking NVMe/TCP host for tests: one connection (one queue), ICReq, Connect, commands
 * with in-capsule data or R2T/H2CData, C2HData collected. It uses the target's codec, so it also
 * checks that the codec speaks to itself; the Linux initiator is the independent check
 * (infra/guest/tests/nvme-tcp.sh).
 */
public final class NvmeTcpInitiator implements AutoCloseable {
  public static final int OPCODE_IDENTIFY = 0x06;
  public static final int PROPERTY_SET = 0x00;
  public static final int PROPERTY_GET = 0x04;

  /** A command's outcome: status (SCT << 8 | SC), completion dword 0-1, data the target sent. */
  public record Result(int status, long result, int submissionHead, byte[] data) {
    public boolean ok() {
      return status == Status.SUCCESS;
    }

    public ByteBuffer dataLE() {
      return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  /** The target ended the connection (C2HTermReq, or the socket closed). */
  public static final class Terminated extends IOException {
    public final int status;

    Terminated(int status, String why) {
      super(why);
      this.status = status;
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final PduReader reader = PduReader.forHost();
  private final ArrayDeque<Object> decoded = new ArrayDeque<>();
  private Framing sending = Framing.INITIAL;
  private long maxH2cData;
  private int nextId = 1;
  public final byte[] hostId = new byte[16];

  public NvmeTcpInitiator(String host, int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), 2000);
    socket.setSoTimeout(5000);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
    out = socket.getOutputStream();
    hostId[0] = 0x5A;
  }

  /** ICReq/ICResp, asking for the given digests; returns the ICResp. */
  public Pdu initialize(boolean headerDigest, boolean dataDigest) throws IOException {
    int digests = (headerDigest ? Pdus.DIGEST_HEADER : 0) | (dataDigest ? Pdus.DIGEST_DATA : 0);
    send(Pdus.icReq(0, digests, 0));
    Pdu resp = next();
    if (resp.type() != PduType.IC_RESP) {
      throw new IOException("expected ICResp, got " + resp.type());
    }
    maxH2cData = Pdus.maxH2cData(resp);
    boolean hd = (Pdus.digests(resp) & Pdus.DIGEST_HEADER) != 0;
    boolean dd = (Pdus.digests(resp) & Pdus.DIGEST_DATA) != 0;
    sending = new Framing(hd, dd, 1 << 20, 4);
    reader.framing(new Framing(hd, dd, 2 << 20, 4));
    return resp;
  }

  /** Connect; returns the result (dword 0: the controller id). */
  public Result connect(int queueId, int controllerId, String subsystemNqn, String hostNqn,
      int keepAliveMillis) throws IOException {
    Sqe sqe = Sqe.fabrics(ConnectRequest.FABRICS_TYPE).u16(40, 0).u16(42, queueId)
        .u16(44, queueId == 0 ? 31 : 63).u32(48, keepAliveMillis);
    return execute(sqe, ConnectRequest.data(hostId, controllerId, subsystemNqn, hostNqn), 0,
        queueId == 0);
  }

  public Result propertyGet(int offset, boolean eightBytes) throws IOException {
    return execute(Sqe.fabrics(PROPERTY_GET).u8(40, eightBytes ? 1 : 0).u32(44, offset), null, 0,
        false);
  }

  public Result propertySet(int offset, long value) throws IOException {
    return execute(Sqe.fabrics(PROPERTY_SET).u8(40, 0).u32(44, offset).u64(48, value), null, 0,
        false);
  }

  /** Connects an admin queue and enables the controller; returns the controller id. */
  public int connectAdmin(String subsystemNqn, String hostNqn) throws IOException {
    Result r = connect(0, ConnectRequest.DYNAMIC_CONTROLLER, subsystemNqn, hostNqn, 0);
    if (!r.ok()) {
      throw new IOException("admin Connect refused: status " + Integer.toHexString(r.status()));
    }
    // CC: EN, IOSQES 6, IOCQES 4
    Result enabled = propertySet(0x14, 1 | 6 << 16 | 4 << 20);
    if (!enabled.ok()) {
      throw new IOException("enabling failed: " + Integer.toHexString(enabled.status()));
    }
    return (int) r.result();
  }

  public Result identify(int cns, int nsid) throws IOException {
    return execute(Sqe.of(OPCODE_IDENTIFY).nsid(nsid).dword(10, cns).sgl(4096, false), null,
        4096, false);
  }

  /**
   * Sends {@code sqe} (its id set here) with {@code dataOut} in the capsule (or, when {@code
   * inCapsule} is false, through R2T/H2CData), and reads until its response.
   */
  public Result execute(Sqe sqe, ByteBuffer dataOut, int dataInLength, boolean inCapsule)
      throws IOException {
    int id = nextId++ & 0xffff;
    sqe.id(id);
    if (dataOut != null) {
      sqe.sgl(dataOut.remaining(), inCapsule);
      send(Pdus.capsuleCommand(sqe.bytes(), inCapsule ? dataOut : null));
    } else {
      if (dataInLength > 0) {
        sqe.sgl(dataInLength, false);
      }
      send(Pdus.capsuleCommand(sqe.bytes(), null));
    }
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    while (true) {
      Pdu pdu = next();
      switch (pdu.type()) {
        case R2T -> sendData(id, pdu, dataOut);
        case C2H_DATA -> {
          if (Pdus.dataOffset(pdu) != received.size()) {
            throw new IOException("C2HData at " + Pdus.dataOffset(pdu) + ", expected "
                + received.size());
          }
          byte[] b = new byte[pdu.dataLength()];
          pdu.data().duplicate().get(b);
          received.write(b);
        }
        case CAPSULE_RESP -> {
          ByteBuffer cqe = ByteBuffer.wrap(Pdus.cqe(pdu)).order(ByteOrder.LITTLE_ENDIAN);
          if ((cqe.getShort(12) & 0xffff) != id) {
            throw new IOException("response for command " + (cqe.getShort(12) & 0xffff)
                + ", expected " + id);
          }
          return new Result(Status.of(cqe.getShort(14) & 0xffff), cqe.getLong(0),
              cqe.getShort(8) & 0xffff, received.toByteArray());
        }
        default -> throw new IOException("unexpected " + pdu.type());
      }
    }
  }

  private void sendData(int id, Pdu r2t, ByteBuffer data) throws IOException {
    int offset = (int) Pdus.dataOffset(r2t);
    int length = (int) Pdus.dataLength(r2t);
    for (int done = 0; done < length; ) {
      int n = (int) Math.min(maxH2cData, length - done);
      ByteBuffer piece = data.slice(data.position() + offset + done, n);
      send(Pdus.h2cData(id, Pdus.transferTag(r2t), offset + done, piece, done + n == length));
      done += n;
    }
  }

  /** Sends {@code pdu} under the agreed framing. */
  public void send(Pdu pdu) throws IOException {
    sendRaw(PduWriter.encode(pdu, sending));
  }

  /** Sends bytes as they are (malformed PDUs). */
  public void sendRaw(ByteBuffer bytes) throws IOException {
    byte[] b = new byte[bytes.remaining()];
    bytes.duplicate().get(b);
    out.write(b);
    out.flush();
  }

  /** The next PDU from the target; {@link Terminated} on a C2HTermReq or end of stream. */
  public Pdu next() throws IOException {
    byte[] buf = new byte[65536];
    while (decoded.isEmpty()) {
      int n = in.read(buf);
      if (n < 0) {
        throw new Terminated(-1, "the target closed the connection");
      }
      reader.feed(ByteBuffer.wrap(buf, 0, n), new PduReader.Sink() {
        @Override
        public void pdu(Pdu pdu) {
          decoded.add(pdu);
        }

        @Override
        public void error(ProtocolError error) {
          decoded.add(error);
        }
      });
    }
    Object o = decoded.poll();
    if (o instanceof ProtocolError e) {
      throw new IOException("the target sent a malformed PDU: " + e);
    }
    Pdu pdu = (Pdu) o;
    if (pdu.type() == PduType.C2H_TERM_REQ) {
      throw new Terminated(Pdus.terminationStatus(pdu), "C2HTermReq, FES "
          + Pdus.terminationStatus(pdu));
    }
    return pdu;
  }

  /** Whether the target has closed the connection (reads to end of stream, within the timeout). */
  public boolean closedByTarget() {
    try {
      while (true) {
        next();
      }
    } catch (Terminated t) {
      if (t.status >= 0) {
        try {
          return in.read() < 0; // after the termination request, the close
        } catch (IOException e) {
          return true;
        }
      }
      return true;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("reset");
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
