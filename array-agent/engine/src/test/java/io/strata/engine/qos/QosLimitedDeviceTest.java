package io.strata.engine.qos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.bucket4j.TimeMeter;
import io.strata.engine.drive.FileBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QosLimitedDeviceTest {
  @TempDir Path dir;
  FileBlockDevice disk;

  /** A clock that moves only when a request sleeps: waits are exact and take no time. */
  static final class FakeTime implements TimeMeter, QosLimitedDevice.Sleeper {
    long now = 1_000_000_000L;
    long slept;

    @Override
    public long currentTimeNanos() {
      return now;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }

    @Override
    public void sleepNanos(long nanos) {
      now += nanos;
      slept += nanos;
    }
  }

  @BeforeEach
  void openDisk() throws IOException {
    disk = FileBlockDevice.open(dir.resolve("vol"), 4L << 20, 512);
  }

  @Test
  void anIopsLimitSpacesRequestsOnceTheBurstIsSpent() throws IOException {
    FakeTime time = new FakeTime();
    QosLimitedDevice vol = new QosLimitedDevice(disk, QosLimits.of(50, 0), time, time);
    for (int i = 0; i < 150; i++) {
      vol.read(i, ByteBuffer.allocate(512));
    }
    // 50 ride the one-second burst; the other 100 come 20 ms apart.
    assertThat(time.slept).isEqualTo(Duration.ofSeconds(2).toNanos());
  }

  @Test
  void aBandwidthLimitChargesBytesAndLetsALargeRequestThroughAfterAProportionalWait()
      throws IOException {
    FakeTime time = new FakeTime();
    QosLimitedDevice vol = new QosLimitedDevice(disk, QosLimits.of(0, 1 << 20), time, time);
    for (int i = 0; i < 10; i++) {
      vol.write(0, ByteBuffer.allocate(256 << 10), false);
    }
    assertThat(time.slept).isEqualTo(Duration.ofMillis(1500).toNanos()); // 2.5 MiB - 1 MiB burst
    vol.read(0, ByteBuffer.allocate(3 << 20)); // three times the bucket
    assertThat(time.slept).isEqualTo(Duration.ofMillis(4500).toNanos());
  }

  @Test
  void noLimitNeverWaitsAndLimitsCanBeChangedOnline() throws IOException {
    FakeTime time = new FakeTime();
    QosLimitedDevice vol = new QosLimitedDevice(disk, QosLimits.of(0, 0), time, time);
    for (int i = 0; i < 1000; i++) {
      vol.read(0, ByteBuffer.allocate(512));
    }
    assertThat(time.slept).isZero();
    vol.setLimits(QosLimits.of(10, 0));
    for (int i = 0; i < 20; i++) {
      vol.read(0, ByteBuffer.allocate(512));
    }
    assertThat(time.slept).isEqualTo(Duration.ofSeconds(1).toNanos());
  }

  @Test
  void theRealClockHoldsARealVolumeToItsLimit() throws IOException {
    QosLimitedDevice vol =
        new QosLimitedDevice(disk, new QosLimits(200, 0, Duration.ofMillis(100)));
    long start = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      vol.read(i, ByteBuffer.allocate(512));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(seconds).isGreaterThanOrEqualTo(0.39); // (100 - 20 burst) / 200 per second
  }

  @Test
  void badLimitsAreRejectedWithAClearMessage() {
    assertThatThrownBy(() -> QosLimits.of(-1, 0)).hasMessageContaining("negative");
    assertThatThrownBy(() -> new QosLimits(1, 1, Duration.ZERO)).hasMessageContaining("burst");
  }
}
