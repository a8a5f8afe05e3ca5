package io.strata.engine.iscsi.defence;

import io.strata.engine.iscsi.login.TextParameters;
import io.strata.engine.iscsi.pdu.LoginRequest;
import io.strata.engine.iscsi.pdu.PduCodec;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A bare iSCSI connection for tests that must send what no well-behaved initiator sends:
 * arbitrary login keys, stages and bytes. Answers are read as raw PDUs.
 */
final class RawIscsi implements Closeable {
  static final long ISID = 0x4000_0137_0001L;
  private final Socket socket;
  private final DataInputStream in;
  private int itt;

  /** A PDU as received: its header and data segment (without padding). */
  record Answer(byte[] bhs, byte[] data) {
    int opcode() {
      return bhs[0] & 0x3f;
    }

    int status() {
      return (bhs[36] & 0xff) << 8 | bhs[37] & 0xff;
    }

    boolean transit() {
      return (bhs[1] & 0x80) != 0;
    }

    Map<String, String> keys() throws TextParameters.MalformedTextException {
      return TextParameters.parse(data);
    }
  }

  private RawIscsi(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Connects to 127.0.0.1:{@code port} from {@code from} (another loopback address, or null). */
  static RawIscsi connect(int port, String from) throws IOException {
    Socket s = new Socket();
    if (from != null) {
      s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    }
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    return new RawIscsi(s);
  }

  void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** Sends a Login Request of stage {@code csg} (to {@code nsg} if {@code transit}). */
  void login(int csg, boolean transit, int nsg, Map<String, String> keys) throws IOException {
    send(loginBytes(csg, transit, nsg, keys, itt++));
  }

  static byte[] loginBytes(int csg, boolean transit, int nsg, Map<String, String> keys, int itt) {
    LoginRequest request = new LoginRequest(transit, false, csg, transit ? nsg : 0, 0, 0, ISID, 0,
        itt, 0, 1, 0, ByteBuffer.wrap(TextParameters.encode(keys)));
    return PduCodec.encodeToBytes(request, false, false);
  }

  /** The next PDU, or null when the target closed the connection first. */
  Answer read() throws IOException {
    byte[] bhs = new byte[PduCodec.BHS_LENGTH];
    try {
      in.readFully(bhs);
      int ahs = (bhs[4] & 0xff) * 4;
      int length = (bhs[5] & 0xff) << 16 | (bhs[6] & 0xff) << 8 | bhs[7] & 0xff;
      in.skipNBytes(ahs);
      byte[] data = new byte[length];
      in.readFully(data);
      in.skipNBytes((4 - length % 4) % 4);
      return new Answer(bhs, data);
    } catch (EOFException e) {
      return null;
    } catch (IOException e) {
      if (e instanceof SocketTimeoutException) {
        throw e;
      }
      return null; // reset by the target: closed as well
    }
  }

  /** Whether the target closes the connection (within the socket timeout) without a word more. */
  boolean closedByTarget() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  /** Sends no more (a FIN): the target sees the initiator stop. */
  void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
