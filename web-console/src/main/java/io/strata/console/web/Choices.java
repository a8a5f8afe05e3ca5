package io.strata.console.web;

import io.quarkus.qute.TemplateGlobal;
import java.util.List;

/** The fixed choices forms and filters offer, as template globals (Qute has no list literals). */
@TemplateGlobal
public final class Choices {
  public static final List<String> arrayStates =
      List.of("REQUESTED", "PLACING", "PROVISIONING", "ONLINE", "DEGRADED", "RESIZING", "HIBERNATING", "HIBERNATED",
          "RESUMING", "DELETING", "FAILED");
  public static final List<String> arraySteps = List.of("REQUESTED", "PLACING", "PROVISIONING", "ONLINE");
  public static final List<String> engineSizes = List.of("E01", "E02", "E04", "E08");
  public static final List<String> protections = List.of("RAID1", "RAID10", "RAID5", "RAID6");
  public static final List<String> cacheModes = List.of("NONE", "WRITE_THROUGH", "WRITE_BACK", "WRITE_AROUND");
  public static final List<String> driveTypes = List.of("SSD", "HDD");
  public static final List<String> operationStates = List.of("PENDING", "SUCCEEDED", "FAILED");
  public static final List<String> auditResults = List.of("SUCCEEDED", "REFUSED", "FAILED");
  public static final List<String> auditMarks = List.of("forced", "credentials", "operator-on-tenant");

  private Choices() {}
}
