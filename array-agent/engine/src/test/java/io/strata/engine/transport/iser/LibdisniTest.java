package io.strata.engine.transport.iser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.ibm.disni.util.NativeAffinity;
import com.ibm.disni.verbs.RdmaCm;
import com.ibm.disni.verbs.RdmaEventChannel;
import io.strata.engine.transport.Portal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Our libdisni under DiSNI's own Java side, where array-agent/iser-native built it (needs
 * libibverbs-dev and librdmacm-dev); skipped elsewhere. No RDMA device is needed: DiSNI checks
 * the library's version and struct layouts when it opens, and a host without RDMA must get a
 * clear error rather than a crash.
 */
class LibdisniTest {

  private static void assumeLibrary() {
    assumeTrue(IserNative.problem() == null, "libdisni not built here: " + IserNative.problem());
  }

  @Test
  void disniAcceptsTheLibrarysVersionAndLayouts() throws IOException {
    assumeLibrary();
    // NativeDispatcher's constructor throws when _getVersion differs from what DiSNI expects.
    assertThat(RdmaCm.open()).isNotNull();
    assertThat(NativeAffinity.getAffinity()).isPositive();
  }

  @Test
  void eventChannelWorksWithRdmaOrFailsWithTheReasonWithout() throws IOException {
    assumeLibrary();
    RdmaCm cm = RdmaCm.open();
    if (Files.exists(Path.of("/dev/infiniband/rdma_cm"))) {
      RdmaEventChannel channel = cm.createEventChannel();
      assertThat(channel).isNotNull();
      cm.destroyEventChannel(channel);
    } else {
      assertThatThrownBy(cm::createEventChannel)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("rdma_create_event_channel failed");
    }
  }

  @Test
  void iserPortalWithoutRdmaIsRefusedWithAClearMessage() throws IOException {
    assumeLibrary();
    assumeTrue(!Files.exists(Path.of("/dev/infiniband/rdma_cm")), "this host has RDMA");
    IserTransport transport = new IserTransport(1);
    assertThatThrownBy(() -> transport.listen(new Portal("127.0.0.1", 3421, 1), c -> null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no RDMA connection manager here");
    transport.close();
  }
}
