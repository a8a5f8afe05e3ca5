package io.strata.kmip;

import io.strata.kmip.ttlv.Tags;
import io.strata.kmip.ttlv.Ttlv;
import io.strata.kmip.ttlv.TtlvCodec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The subset of KMIP 1.4 Strata needs to keep data keys wrapped by a tenant's key-encryption key
 * (KEK) that never leaves the KMS: Create (AES-256, usage encrypt/decrypt/wrap/unwrap), Activate,
 * Encrypt and Decrypt (AES-256-GCM, which is how a data key is wrapped and unwrapped), Get
 * Attributes (the key's state), Revoke and Destroy.
 *
 * <p>One TLS connection (client certificate, TLS 1.2 or 1.3, the server's certificate checked
 * against the endpoint's CA and host), used by one call at a time. A call that finds the kept
 * connection broken (the server restarted, or it or a firewall closed an idle connection) opens a
 * new one and sends once more.
 * That holds for Create too: a server that closes without answering has not created the key in
 * the cases seen; at worst one unused key is left in the KMS. Every wait is bounded by the
 * endpoint's timeouts. Nothing here logs; no exception message contains key bytes.
 *
 * <p>A wrapped key is {@code 0x01 || IV (12) || GCM tag (16) || ciphertext}; the optional context
 * (for example the volume's id) is GCM's additional authenticated data, so a wrapped key only
 * unwraps for the context it was wrapped for.
 */
public final class KmipClient implements AutoCloseable {

  /** KMIP 1.4: the first version whose Encrypt and Decrypt carry GCM's tag and additional data. */
  static final int VERSION_MAJOR = 1;
  static final int VERSION_MINOR = 4;

  static final byte WRAPPED_FORMAT_GCM = 1;
  static final int IV_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final int MAX_DATA_KEY_BYTES = 1024;
  /** Far above any answer to the operations above; a longer message is refused before it is read. */
  static final int MAX_RESPONSE_BYTES = 1 << 20;

  // Enumerations of KMIP 1.4 (section 9.1.3.2).
  private static final int OP_CREATE = 0x01;
  private static final int OP_GET_ATTRIBUTES = 0x0B;
  private static final int OP_ACTIVATE = 0x12;
  private static final int OP_REVOKE = 0x13;
  private static final int OP_DESTROY = 0x14;
  private static final int OP_DISCOVER_VERSIONS = 0x1E;
  private static final int OP_ENCRYPT = 0x1F;
  private static final int OP_DECRYPT = 0x20;
  private static final int OBJECT_TYPE_SYMMETRIC_KEY = 0x02;
  private static final int ALGORITHM_AES = 0x03;
  private static final int MODE_GCM = 0x09;
  private static final int USAGE_ENCRYPT_DECRYPT_WRAP_UNWRAP = 0x04 | 0x08 | 0x10 | 0x20;
  private static final int NAME_TYPE_TEXT = 0x01;
  private static final int REVOCATION_CESSATION_OF_OPERATION = 0x06;
  private static final int RESULT_SUCCESS = 0x00;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final KmipEndpoint endpoint;
  private final SSLContext tls;
  private SSLSocket socket;
  private InputStream in;
  private OutputStream out;

  private KmipClient(KmipEndpoint endpoint, SSLContext tls) {
    this.endpoint = endpoint;
    this.tls = tls;
  }

  /**
   * Connects, completes TLS and checks that the server speaks KMIP 1.4 (Discover Versions).
   *
   * @throws KmipUnreachableException no connection or no answer within the endpoint's timeouts
   * @throws KmipTlsException the certificates were refused, on either side
   * @throws KmipProtocolException the server does not support KMIP 1.4
   */
  public static KmipClient connect(KmipEndpoint endpoint) {
    KmipClient client = new KmipClient(endpoint, PemTls.context(endpoint));
    try {
      client.open();
      client.checkVersion();
      return client;
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  public KmipEndpoint endpoint() {
    return endpoint;
  }

  /**
   * Creates an AES-256 key-encryption key named {@code name} and activates it.
   *
   * @return its unique identifier in the KMS, what Strata stores beside each wrapped key
   */
  public synchronized String createKek(String name) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("name must not be blank");
    Ttlv payload = call("Create", null, OP_CREATE,
        Ttlv.enumeration(Tags.OBJECT_TYPE, OBJECT_TYPE_SYMMETRIC_KEY),
        Ttlv.structure(Tags.TEMPLATE_ATTRIBUTE,
            attribute("Cryptographic Algorithm", Ttlv.enumeration(Tags.ATTRIBUTE_VALUE, ALGORITHM_AES)),
            attribute("Cryptographic Length", Ttlv.integer(Tags.ATTRIBUTE_VALUE, 256)),
            attribute("Cryptographic Usage Mask",
                Ttlv.integer(Tags.ATTRIBUTE_VALUE, USAGE_ENCRYPT_DECRYPT_WRAP_UNWRAP)),
            attribute("Name", Ttlv.structure(Tags.ATTRIBUTE_VALUE,
                Ttlv.text(Tags.NAME_VALUE, name),
                Ttlv.enumeration(Tags.NAME_TYPE, NAME_TYPE_TEXT)))));
    String id = payload.require(Tags.UNIQUE_IDENTIFIER).asText();
    activate(id);
    return id;
  }

  /** Moves a PRE_ACTIVE key to ACTIVE. */
  public synchronized void activate(String keyId) {
    call("Activate", keyId, OP_ACTIVATE, uid(keyId));
  }

  /** {@link #wrap(String, byte[], byte[])} without a context. */
  public byte[] wrap(String kekId, byte[] dataKey) {
    return wrap(kekId, dataKey, new byte[0]);
  }

  /**
   * Wraps a data key with the KEK, in the KMS (KMIP Encrypt, AES-256-GCM with a random 96-bit IV).
   *
   * @param context bound to the wrapped key (GCM additional data); the same must be given to unwrap
   * @throws KmipKeyNotActiveException the KEK is revoked or not yet active
   * @throws KmipKeyNotFoundException no such KEK (or destroyed)
   */
  public synchronized byte[] wrap(String kekId, byte[] dataKey, byte[] context) {
    if (dataKey == null || dataKey.length == 0 || dataKey.length > MAX_DATA_KEY_BYTES) {
      throw new IllegalArgumentException("dataKey must hold 1.." + MAX_DATA_KEY_BYTES + " bytes");
    }
    byte[] iv = new byte[IV_BYTES];
    RANDOM.nextBytes(iv);
    List<Ttlv> fields = gcmFields(kekId, dataKey, iv, context);
    Ttlv payload = keyOperation("Encrypt", kekId, OP_ENCRYPT, fields);
    byte[] ciphertext = payload.require(Tags.DATA).asBytes();
    byte[] tag = payload.require(Tags.AUTHENTICATED_ENCRYPTION_TAG).asBytes();
    if (tag.length != TAG_BYTES || ciphertext.length != dataKey.length) {
      throw new KmipProtocolException("the KMS's Encrypt answer has a " + tag.length + "-byte tag and "
          + ciphertext.length + " bytes of ciphertext for " + dataKey.length + " bytes of data");
    }
    return ByteBuffer.allocate(1 + IV_BYTES + TAG_BYTES + ciphertext.length)
        .put(WRAPPED_FORMAT_GCM).put(iv).put(tag).put(ciphertext).array();
  }

  /** {@link #unwrap(String, byte[], byte[])} without a context. */
  public byte[] unwrap(String kekId, byte[] wrapped) {
    return unwrap(kekId, wrapped, new byte[0]);
  }

  /**
   * Unwraps a data key with the KEK, in the KMS (KMIP Decrypt, AES-256-GCM).
   *
   * @return the data key; the caller should overwrite it when done with it
   * @throws KmipUnwrapFailedException the KEK is active but this wrapped key does not open with it
   *     (another KEK's, another context's, or altered)
   * @throws KmipKeyNotActiveException the KEK is revoked (the tenant's kill switch) or not yet active
   * @throws KmipKeyNotFoundException no such KEK (or destroyed)
   */
  public synchronized byte[] unwrap(String kekId, byte[] wrapped, byte[] context) {
    if (wrapped == null || wrapped.length <= 1 + IV_BYTES + TAG_BYTES || wrapped[0] != WRAPPED_FORMAT_GCM) {
      throw new IllegalArgumentException(
          "wrapped is not a key wrapped by this client (format byte 1, IV, tag, ciphertext)");
    }
    ByteBuffer parts = ByteBuffer.wrap(wrapped, 1, wrapped.length - 1);
    byte[] iv = new byte[IV_BYTES];
    byte[] tag = new byte[TAG_BYTES];
    byte[] ciphertext = new byte[wrapped.length - 1 - IV_BYTES - TAG_BYTES];
    parts.get(iv).get(tag).get(ciphertext);
    List<Ttlv> fields = gcmFields(kekId, ciphertext, iv, context);
    fields.add(Ttlv.bytes(Tags.AUTHENTICATED_ENCRYPTION_TAG, tag));
    Ttlv payload = keyOperation("Decrypt", kekId, OP_DECRYPT, fields);
    try {
      return payload.require(Tags.DATA).asBytes();
    } finally {
      payload.wipe();
    }
  }

  /** The key's state in the KMS. */
  public synchronized KeyState state(String keyId) {
    Ttlv payload = call("Get Attributes", keyId, OP_GET_ATTRIBUTES,
        uid(keyId), Ttlv.text(Tags.ATTRIBUTE_NAME, "State"));
    for (Ttlv attribute : payload.findAll(Tags.ATTRIBUTE)) {
      if ("State".equals(attribute.require(Tags.ATTRIBUTE_NAME).asText())) {
        return KeyState.of(attribute.require(Tags.ATTRIBUTE_VALUE).asInt());
      }
    }
    throw new KmipProtocolException("the KMS's Get Attributes answer for key " + keyId + " has no State");
  }

  /**
   * Revokes the key (reason: cessation of operation): it becomes DEACTIVATED and the KMS refuses
   * to wrap or unwrap with it from then on. This is the tenant's kill switch.
   */
  public synchronized void revoke(String keyId) {
    call("Revoke", keyId, OP_REVOKE, uid(keyId),
        Ttlv.structure(Tags.REVOCATION_REASON,
            Ttlv.enumeration(Tags.REVOCATION_REASON_CODE, REVOCATION_CESSATION_OF_OPERATION)));
  }

  /** Destroys the key; KMIP refuses this for an ACTIVE key, so {@link #revoke} it first. */
  public synchronized void destroy(String keyId) {
    call("Destroy", keyId, OP_DESTROY, uid(keyId));
  }

  @Override
  public synchronized void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing is best effort: the server drops the session either way
      }
    }
    socket = null;
    in = null;
    out = null;
  }

  // ---- operations: the failures that say something about the key ----

  /**
   * Encrypt or Decrypt with a key: when the server refuses, its state tells a revoked or missing
   * KEK apart from a wrapped key that does not open (PyKMIP answers Permission Denied for a key
   * that is not active and General Failure for a GCM tag that does not match).
   */
  private Ttlv keyOperation(String operation, String keyId, int code, List<Ttlv> fields) {
    try {
      return call(operation, keyId, code, fields.toArray(Ttlv[]::new));
    } catch (KmipKeyNotFoundException e) {
      throw e;
    } catch (KmipOperationException e) {
      KeyState state;
      try {
        state = state(keyId);
      } catch (KmipException stateUnknown) {
        e.addSuppressed(stateUnknown);
        throw e;
      }
      if (state != KeyState.ACTIVE) throw new KmipKeyNotActiveException(operation, keyId, state, e.reason());
      if (code == OP_DECRYPT
          && (e.reason() == ResultReason.CRYPTOGRAPHIC_FAILURE || e.reason() == ResultReason.GENERAL_FAILURE)) {
        throw new KmipUnwrapFailedException("the wrapped key does not unwrap with key " + keyId
            + " (wrapped by another key or for another context, or altered); the KMS said "
            + e.reason() + ": " + e.getMessage());
      }
      throw e;
    } finally {
      fields.forEach(Ttlv::wipe);
    }
  }

  /** The request fields Encrypt and Decrypt share: the key, AES-256-GCM, the data, IV and context. */
  private static List<Ttlv> gcmFields(String kekId, byte[] data, byte[] iv, byte[] context) {
    Objects.requireNonNull(context, "context (an empty array for none)");
    List<Ttlv> fields = new ArrayList<>(List.of(
        uid(kekId),
        Ttlv.structure(Tags.CRYPTOGRAPHIC_PARAMETERS,
            Ttlv.enumeration(Tags.BLOCK_CIPHER_MODE, MODE_GCM),
            Ttlv.enumeration(Tags.CRYPTOGRAPHIC_ALGORITHM, ALGORITHM_AES),
            Ttlv.integer(Tags.TAG_LENGTH, TAG_BYTES)),
        Ttlv.bytes(Tags.DATA, data),
        Ttlv.bytes(Tags.IV_COUNTER_NONCE, iv)));
    if (context.length > 0) fields.add(Ttlv.bytes(Tags.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, context));
    return fields;
  }

  private static Ttlv uid(String keyId) {
    if (keyId == null || keyId.isBlank()) throw new IllegalArgumentException("keyId must not be blank");
    return Ttlv.text(Tags.UNIQUE_IDENTIFIER, keyId);
  }

  private static Ttlv attribute(String name, Ttlv value) {
    return Ttlv.structure(Tags.ATTRIBUTE, Ttlv.text(Tags.ATTRIBUTE_NAME, name), value);
  }

  private void checkVersion() {
    Ttlv payload = call("Discover Versions", null, OP_DISCOVER_VERSIONS, version());
    for (Ttlv version : payload.findAll(Tags.PROTOCOL_VERSION)) {
      if (version.require(Tags.PROTOCOL_VERSION_MAJOR).asInt() == VERSION_MAJOR
          && version.require(Tags.PROTOCOL_VERSION_MINOR).asInt() == VERSION_MINOR) {
        return;
      }
    }
    throw new KmipProtocolException("the KMIP server " + endpoint + " does not support KMIP "
        + VERSION_MAJOR + "." + VERSION_MINOR + ", which Strata needs (AES-GCM in Encrypt and Decrypt)");
  }

  private static Ttlv version() {
    return Ttlv.structure(Tags.PROTOCOL_VERSION,
        Ttlv.integer(Tags.PROTOCOL_VERSION_MAJOR, VERSION_MAJOR),
        Ttlv.integer(Tags.PROTOCOL_VERSION_MINOR, VERSION_MINOR));
  }

  // ---- messages ----

  /** Sends one request of one batch item and returns the response payload of a success. */
  private Ttlv call(String operation, String keyId, int code, Ttlv... payload) {
    Ttlv request = Ttlv.structure(Tags.REQUEST_MESSAGE,
        Ttlv.structure(Tags.REQUEST_HEADER, version(), Ttlv.integer(Tags.BATCH_COUNT, 1)),
        Ttlv.structure(Tags.BATCH_ITEM,
            Ttlv.enumeration(Tags.OPERATION, code),
            Ttlv.structure(Tags.REQUEST_PAYLOAD, payload)));
    byte[] bytes = TtlvCodec.encode(request);
    Ttlv response;
    try {
      response = exchange(operation, bytes, true);
    } finally {
      Arrays.fill(bytes, (byte) 0);
      request.wipe();
    }
    return resultOf(operation, keyId, code, response);
  }

  private static Ttlv resultOf(String operation, String keyId, int code, Ttlv response) {
    if (response.tag() != Tags.RESPONSE_MESSAGE) {
      throw new KmipProtocolException("the KMS answered " + operation + " with a " + Tags.name(response.tag()));
    }
    Ttlv item = response.require(Tags.BATCH_ITEM);
    Ttlv echoed = item.find(Tags.OPERATION);
    if (echoed != null && echoed.asInt() != code) {
      throw new KmipProtocolException("the KMS answered " + operation + " with the result of operation " + echoed.asInt());
    }
    int status = item.require(Tags.RESULT_STATUS).asInt();
    if (status == RESULT_SUCCESS) {
      Ttlv payload = item.find(Tags.RESPONSE_PAYLOAD);
      return payload != null ? payload : Ttlv.structure(Tags.RESPONSE_PAYLOAD);
    }
    Ttlv reasonItem = item.find(Tags.RESULT_REASON);
    Ttlv messageItem = item.find(Tags.RESULT_MESSAGE);
    int reasonCode = reasonItem != null ? reasonItem.asInt() : ResultReason.GENERAL_FAILURE.code;
    ResultReason reason = ResultReason.of(reasonCode);
    String message = "KMIP " + operation + (keyId != null ? " of key " + keyId : "") + " failed: "
        + (reason == ResultReason.UNKNOWN ? "result reason " + reasonCode : reason)
        + (messageItem != null ? " (" + abbreviated(messageItem.asText()) + ")" : "");
    if (reason == ResultReason.AUTHENTICATION_NOT_SUCCESSFUL) {
      // PyKMIP completes TLS with any certificate of its CA, then refuses one not made for client
      // authentication (extended key usage) in its answer: the same remedy as a TLS refusal.
      throw new KmipTlsException("the KMIP server refused the client certificate: " + message, null);
    }
    if (reason == ResultReason.ITEM_NOT_FOUND && keyId != null) {
      throw new KmipKeyNotFoundException(operation, keyId, message);
    }
    throw new KmipOperationException(operation, reason, message);
  }

  private static String abbreviated(String serverMessage) {
    return serverMessage.length() <= 300 ? serverMessage : serverMessage.substring(0, 300) + "…";
  }

  // ---- transport ----

  private Ttlv exchange(String operation, byte[] request, boolean mayRetry) {
    boolean reused = socket != null;
    if (!reused) open();
    try {
      return roundTrip(request);
    } catch (SocketTimeoutException e) {
      close();
      throw new KmipUnreachableException("the KMIP server " + endpoint + " did not answer " + operation
          + " within " + endpoint.operationTimeout().toMillis() + " ms", e);
    } catch (KmipProtocolException e) {
      // The rest of a malformed answer may still be in the stream: never read the next one after it.
      close();
      throw e;
    } catch (SSLException e) {
      close();
      throw new KmipTlsException("TLS with the KMIP server " + endpoint + " failed during " + operation + ": " + e.getMessage(), e);
    } catch (IOException e) {
      close();
      if (!reused || !mayRetry) {
        throw new KmipUnreachableException("the connection to the KMIP server " + endpoint + " broke during "
            + operation + ": " + e.getMessage(), e);
      }
      // The kept connection had gone stale (server restarted, idle connection closed): once more on a new one.
      return exchange(operation, request, false);
    }
  }

  private Ttlv roundTrip(byte[] request) throws IOException {
    out.write(request);
    out.flush();
    return TtlvCodec.readMessage(in, MAX_RESPONSE_BYTES);
  }

  private void open() {
    SSLSocket opened;
    try {
      opened = (SSLSocket) tls.getSocketFactory().createSocket();
    } catch (IOException e) {
      throw new KmipUnreachableException("cannot create a socket for the KMIP server " + endpoint, e);
    }
    int connectMillis = (int) endpoint.connectTimeout().toMillis();
    try {
      opened.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), connectMillis);
    } catch (IOException e) {
      closeQuietly(opened);
      throw new KmipUnreachableException("cannot connect to the KMIP server " + endpoint + " within "
          + connectMillis + " ms: " + e.getMessage(), e);
    }
    try {
      SSLParameters parameters = opened.getSSLParameters();
      parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      opened.setSSLParameters(parameters);
      opened.setSoTimeout(connectMillis);
      opened.startHandshake();
      opened.setSoTimeout((int) endpoint.operationTimeout().toMillis());
      socket = opened;
      in = new BufferedInputStream(opened.getInputStream());
      out = opened.getOutputStream();
    } catch (SocketTimeoutException e) {
      closeQuietly(opened);
      throw new KmipUnreachableException("the KMIP server " + endpoint + " did not complete TLS within "
          + connectMillis + " ms", e);
    } catch (IOException e) {
      closeQuietly(opened);
      throw new KmipTlsException("TLS with the KMIP server " + endpoint + " failed (certificate refused or "
          + "not trusted?): " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(SSLSocket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing more to do with a socket that failed
    }
  }
}
