package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.Csi;
import csi.v1.IdentityGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityServiceTest {

  @TempDir
  Path dir;

  @Test
  void answersOverItsUnixSocketAndProbeFollowsTheControlPlane() throws Exception {
    AtomicBoolean reachable = new AtomicBoolean(true);
    try (SocketChannel s = new SocketChannel(dir, List.of(new IdentityService("csi.strata.io", true, reachable::get)))) {
      assertThat(Files.exists(dir.resolve("csi.sock"))).isTrue();
      IdentityGrpc.IdentityBlockingStub identity = IdentityGrpc.newBlockingStub(s.channel);
      Csi.GetPluginInfoResponse info = identity.getPluginInfo(Csi.GetPluginInfoRequest.getDefaultInstance());
      assertThat(info.getName()).isEqualTo("csi.strata.io");
      assertThat(info.getVendorVersion()).isEqualTo(IdentityService.VENDOR_VERSION);
      assertThat(identity.getPluginCapabilities(Csi.GetPluginCapabilitiesRequest.getDefaultInstance())
          .getCapabilitiesList()).extracting(c -> c.getService().getType())
          .contains(Csi.PluginCapability.Service.Type.CONTROLLER_SERVICE);
      assertThat(identity.probe(Csi.ProbeRequest.getDefaultInstance()).getReady().getValue()).isTrue();
      reachable.set(false);
      assertThat(identity.probe(Csi.ProbeRequest.getDefaultInstance()).getReady().getValue()).isFalse();
    }
    assertThat(Files.exists(dir.resolve("csi.sock"))).as("the socket is removed on close").isFalse();
  }

  @Test
  void theNodePluginOffersNoControllerService() throws Exception {
    try (SocketChannel s = new SocketChannel(dir, List.of(new IdentityService("csi.strata.io", false, () -> true)))) {
      assertThat(IdentityGrpc.newBlockingStub(s.channel)
          .getPluginCapabilities(Csi.GetPluginCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList()).isEmpty();
    }
  }
}
