package io.strata.engine.layout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.block.BlockDevice;
import io.strata.engine.crypto.KeyGatedDevice;
import io.strata.engine.crypto.KmsSettings;
import io.strata.engine.crypto.XtsAes256;
import io.strata.engine.layout.ArrayLayout.EncryptionSpec;
import io.strata.engine.volume.VolumeStore;
import io.strata.kmip.KmipClient;
import io.strata.kmip.KmipEndpoint;
import io.strata.kmip.KmipException;
import io.strata.kmip.KmipKeyNotActiveException;
import io.strata.kmip.KmipKeyNotFoundException;
import io.strata.kmip.KmipTlsException;
import io.strata.kmip.KmipUnreachableException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The data keys of the engine's encrypted volumes (docs/encryption.md). A volume's key is made
 * here when the volume is created: 64 random bytes, wrapped by the tenant's KEK in the KMS (KMIP
 * Encrypt, the volume's name as the context) and kept only wrapped, as a named record of the
 * pool's metadata ({@code dek/NAME}); the clear key is overwritten as soon as it is wrapped.
 * Snapshots and clones get a copy of the record (they share the volume's key); deleting an
 * object drops its record (crypto-erase, once nothing sharing the key is left).
 *
 * <p>A served encrypted volume stands on a {@link KeyGatedDevice}: NOT READY until the KMS
 * unwraps its key (KMIP Decrypt), which is tried at once, then again in the background with a
 * pause that doubles up to the settings' bound, for as long as the KMS is unreachable or refuses
 * (a revoked KEK). The unwrapped key lives only in the cipher's memory.
 */
public final class VolumeKeys implements Closeable {
  private static final Logger LOG = Logger.getLogger(VolumeKeys.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  static final Duration RETRY_MIN = Duration.ofMillis(500);
  /** An unreachable KMS is not waited for again at start for this long (one timeout per start). */
  private static final long SKIP_SYNC_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** Where a volume's key stands, as the layout status reports it. */
  public enum KeyState { ACTIVE, KMS_UNREACHABLE, REVOKED, FAILED }

  /** A volume's key state, the KEK's id, and why it is not ACTIVE (null when it is). */
  public record KeyStatus(KeyState state, String kek, String reason) {}

  /** What the pool's metadata keeps of a volume's key: never the key itself. */
  record WrappedKey(String kek, String context, String wrapped) {
    byte[] wrappedBytes() {
      return Base64.getDecoder().decode(wrapped);
    }

    byte[] contextBytes() {
      return context.getBytes(StandardCharsets.UTF_8);
    }
  }

  private final KmipEndpoint endpoint;
  private final Duration retryMax;
  private KmipClient client;
  private volatile long unreachableSinceNanos;
  private volatile boolean unreachableSeen;
  private final Map<String, Gate> gates = new ConcurrentHashMap<>();
  private ScheduledExecutorService retries;
  private volatile boolean closed;

  private final class Gate {
    final String volume;
    final WrappedKey key;
    final KeyGatedDevice device;
    volatile KeyStatus status;
    int failures;

    Gate(String volume, WrappedKey key, KeyGatedDevice device) {
      this.volume = volume;
      this.key = key;
      this.device = device;
      this.status = new KeyStatus(KeyState.KMS_UNREACHABLE, key.kek(),
          "its data key has not been fetched from the KMS yet");
    }
  }

  private VolumeKeys(KmipEndpoint endpoint, Duration retryMax) {
    this.endpoint = endpoint;
    this.retryMax = retryMax;
  }

  /** Keys fetched from the KMS of {@code settings}. */
  public static VolumeKeys using(KmsSettings.Resolved settings) {
    return new VolumeKeys(settings.endpoint().withTimeouts(Duration.ofSeconds(2),
        Duration.ofSeconds(10)), settings.retryMax());
  }

  /** No KMS configured: an encrypted volume can be neither created nor served. */
  public static VolumeKeys none() {
    return new VolumeKeys(null, KmsSettings.DEFAULT_RETRY_MAX);
  }

  static String recordOf(String name) {
    return "dek/" + name;
  }

  /**
   * Makes the data key of volume {@code name}, about to be created in {@code store}, unless its
   * record is there already (a creation that failed after it): wraps a new key (or takes the
   * layout's wrapped one) and keeps the wrapped form in the pool's metadata.
   */
  void createKey(VolumeStore store, String name, EncryptionSpec spec) throws IOException {
    if (store.record(recordOf(name)) != null) {
      return;
    }
    String wrapped;
    if (spec.wrappedKey() != null) {
      wrapped = spec.wrappedKey();
    } else {
      byte[] key = newDataKey();
      try {
        wrapped = Base64.getEncoder().encodeToString(
            kms().wrap(spec.kek(), key, name.getBytes(StandardCharsets.UTF_8)));
      } catch (KmipException e) {
        throw new IOException("encrypted volume " + name + ": cannot wrap its new data key with KEK "
            + spec.kek() + ": " + e.getMessage(), e);
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    }
    store.putRecord(recordOf(name), JSON.writeValueAsBytes(new WrappedKey(spec.kek(), name, wrapped)));
    LOG.info("encrypted volume " + name + ": data key made and kept wrapped by KEK " + spec.kek());
  }

  /** A snapshot or clone {@code to} shares the key of {@code from} (when that has one). */
  static void shareKey(VolumeStore store, String from, String to) throws IOException {
    copyKey(store, from, store, to);
  }

  /** A volume moved from pool {@code from} to {@code to}: its wrapped key goes with it. */
  static void moveKey(VolumeStore from, VolumeStore to, String name) throws IOException {
    copyKey(from, name, to, name);
  }

  private static void copyKey(VolumeStore from, String fromName, VolumeStore to, String toName)
      throws IOException {
    byte[] record = from.record(recordOf(fromName));
    if (record != null && to.record(recordOf(toName)) == null) {
      to.putRecord(recordOf(toName), record);
    }
  }

  /** Crypto-erase: the wrapped key of a deleted object goes from the pool's metadata. */
  static void dropKey(VolumeStore store, String name) throws IOException {
    store.putRecord(recordOf(name), null);
  }

  /**
   * What the LUN of {@code name} stands on: {@code stored} itself for a plain volume, else a
   * gate that opens once the key is unwrapped (tried now, unless the KMS was found unreachable
   * lately, then in the background).
   */
  BlockDevice gate(String name, byte[] record, BlockDevice stored) throws IOException {
    if (record == null) {
      gates.remove(name);
      return stored;
    }
    WrappedKey key = JSON.readValue(record, WrappedKey.class);
    KeyGatedDevice device = new KeyGatedDevice(name, stored, "its data key has not been fetched"
        + " from the KMS yet");
    Gate gate = new Gate(name, key, device);
    gates.put(name, gate);
    if (endpoint == null) {
      gate.status = new KeyStatus(KeyState.FAILED, key.kek(),
          "the engine has no KMS settings (--kmip): the key cannot be fetched");
      device.stillLocked(gate.status.reason());
      return device;
    }
    if (unreachableSeen && System.nanoTime() - unreachableSinceNanos < SKIP_SYNC_NANOS) {
      retryLater(gate, Duration.ZERO);
    } else {
      attempt(gate);
    }
    return device;
  }

  /** Forgets the gates of LUNs no longer served. */
  void retain(Collection<String> served) {
    gates.keySet().retainAll(served);
  }

  /** Each served encrypted volume's key state, by name. */
  public Map<String, KeyStatus> status() {
    Map<String, KeyStatus> out = new TreeMap<>();
    gates.forEach((name, g) -> out.put(name, g.status));
    return out;
  }

  private void attempt(Gate gate) {
    if (closed || gates.get(gate.volume) != gate || gate.device.isUnlocked()) {
      return;
    }
    try {
      byte[] key = kms().unwrap(gate.key.kek(), gate.key.wrappedBytes(), gate.key.contextBytes());
      try {
        gate.device.unlock(key);
      } finally {
        Arrays.fill(key, (byte) 0);
      }
      gate.status = new KeyStatus(KeyState.ACTIVE, gate.key.kek(), null);
      unreachableSeen = false;
      LOG.info("encrypted volume " + gate.volume + ": data key unwrapped by KEK " + gate.key.kek()
          + (gate.failures > 0 ? " after " + gate.failures + " failed attempt(s)" : "")
          + "; the volume is ready");
      return;
    } catch (KmipUnreachableException | KmipTlsException e) {
      unreachableSeen = true;
      unreachableSinceNanos = System.nanoTime();
      notReady(gate, KeyState.KMS_UNREACHABLE, "the KMS at " + endpoint.host() + ":"
          + endpoint.port() + " cannot be reached: " + e.getMessage());
    } catch (KmipKeyNotActiveException | KmipKeyNotFoundException e) {
      notReady(gate, KeyState.REVOKED, "KEK " + gate.key.kek() + " is revoked or destroyed in the"
          + " KMS: " + e.getMessage());
    } catch (KmipException | IllegalArgumentException e) {
      notReady(gate, KeyState.FAILED, "its data key does not unwrap with KEK " + gate.key.kek()
          + ": " + e.getMessage());
    }
    gate.failures++;
    long millis = Math.min(retryMax.toMillis(),
        RETRY_MIN.toMillis() << Math.min(gate.failures - 1, 16));
    retryLater(gate, Duration.ofMillis(millis));
  }

  private void notReady(Gate gate, KeyState state, String reason) {
    KeyStatus was = gate.status;
    gate.status = new KeyStatus(state, gate.key.kek(), reason);
    gate.device.stillLocked(reason);
    if (gate.failures == 0 || was.state() != state) {
      LOG.warning("encrypted volume " + gate.volume + " is NOT READY: " + reason
          + " (tried again in the background)");
    }
  }

  private synchronized void retryLater(Gate gate, Duration delay) {
    if (closed) {
      return;
    }
    if (retries == null) {
      retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "volume-keys");
        t.setDaemon(true);
        return t;
      });
    }
    retries.schedule(() -> attempt(gate), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The KMS connection, made when first needed and again after it could not be. */
  private synchronized KmipClient kms() {
    if (endpoint == null) {
      throw new IllegalArgumentException("the engine has no KMS settings (--kmip): encrypted"
          + " volumes cannot be created or served");
    }
    if (client == null) {
      client = KmipClient.connect(endpoint);
    }
    return client;
  }

  /** 64 random bytes whose two halves (XTS's data and tweak keys) differ. */
  static byte[] newDataKey() {
    byte[] key = new byte[XtsAes256.KEY_BYTES];
    do {
      RANDOM.nextBytes(key);
    } while (Arrays.equals(key, 0, key.length / 2, key, key.length / 2, key.length));
    return key;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (retries != null) {
      retries.shutdownNow();
    }
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
