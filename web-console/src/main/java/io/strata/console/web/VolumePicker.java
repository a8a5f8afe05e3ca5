package io.strata.console.web;

import io.strata.console.api.ControlPlane.Page;
import io.strata.console.api.ControlPlane.VolumeView;
import io.strata.console.api.ControlPlaneClient;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The volumes a form's picker offers: the first {@link #SIZE} of the tenant's volumes, and the
 * volume the page was opened for even when it is not among them. A picker of hundreds of volumes
 * cost the snapshots and attachments pages most of their render time with 1 000 volumes (a 500-
 * volume answer to read and three 500-option lists to write); a tenant with more volumes than the
 * picker shows starts from the volume's own page, which links here with the volume chosen.
 */
final class VolumePicker {
  static final int SIZE = 100;

  private VolumePicker() {}

  /** @param chosen the volume to include (from the page's address), or null */
  static Page<VolumeView> of(ControlPlaneClient controlPlane, UUID chosen) {
    Page<VolumeView> first = controlPlane.volumes(null, SIZE, null, null, null);
    if (chosen == null || first.isEmpty() || first.items().stream().anyMatch(v -> v.id().equals(chosen))) {
      return first;
    }
    List<VolumeView> items = new ArrayList<>(first.items());
    try (var answer = controlPlane.volume(chosen)) {
      items.add(0, answer.readEntity(VolumeView.class));
    } catch (io.strata.console.api.ApiProblem gone) {
      return first; // not the tenant's, or deleted: the picker offers what there is
    }
    return new Page<>(items, first.nextCursor());
  }
}
