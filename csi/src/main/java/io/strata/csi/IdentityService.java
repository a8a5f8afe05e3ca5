package io.strata.csi;

import com.google.protobuf.BoolValue;
import csi.v1.Csi;
import csi.v1.IdentityGrpc;
import io.grpc.stub.StreamObserver;
import java.util.function.BooleanSupplier;

/** CSI Identity: the driver's name and version, what it offers, and whether it is ready. */
public final class IdentityService extends IdentityGrpc.IdentityImplBase {

  public static final String VENDOR_VERSION = "0.1.0";
  private final String driverName;
  private final boolean controller;
  private final BooleanSupplier ready;

  /**
   * @param controller whether this process serves the Controller service (the node plugin does not)
   * @param ready Probe's answer: the controller is ready when it can reach the control plane
   */
  public IdentityService(String driverName, boolean controller, BooleanSupplier ready) {
    this.driverName = driverName;
    this.controller = controller;
    this.ready = ready;
  }

  @Override
  public void getPluginInfo(Csi.GetPluginInfoRequest request, StreamObserver<Csi.GetPluginInfoResponse> out) {
    out.onNext(Csi.GetPluginInfoResponse.newBuilder()
        .setName(driverName)
        .setVendorVersion(VENDOR_VERSION)
        .build());
    out.onCompleted();
  }

  @Override
  public void getPluginCapabilities(Csi.GetPluginCapabilitiesRequest request,
      StreamObserver<Csi.GetPluginCapabilitiesResponse> out) {
    Csi.GetPluginCapabilitiesResponse.Builder answer = Csi.GetPluginCapabilitiesResponse.newBuilder();
    if (controller) {
      answer.addCapabilities(service(Csi.PluginCapability.Service.Type.CONTROLLER_SERVICE));
      answer.addCapabilities(Csi.PluginCapability.newBuilder().setVolumeExpansion(
          Csi.PluginCapability.VolumeExpansion.newBuilder()
              .setType(Csi.PluginCapability.VolumeExpansion.Type.ONLINE)));
    }
    out.onNext(answer.build());
    out.onCompleted();
  }

  private static Csi.PluginCapability service(Csi.PluginCapability.Service.Type type) {
    return Csi.PluginCapability.newBuilder()
        .setService(Csi.PluginCapability.Service.newBuilder().setType(type))
        .build();
  }

  @Override
  public void probe(Csi.ProbeRequest request, StreamObserver<Csi.ProbeResponse> out) {
    out.onNext(Csi.ProbeResponse.newBuilder().setReady(BoolValue.of(ready.getAsBoolean())).build());
    out.onCompleted();
  }
}
