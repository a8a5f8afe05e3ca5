package io.strata.cli.api;

import static io.strata.cli.api.Endpoint.Body.NONE;
import static io.strata.cli.api.Endpoint.Body.OPTIONAL;
import static io.strata.cli.api.Endpoint.Body.REQUIRED;
import static io.strata.cli.api.Endpoint.Service.BILLING;
import static io.strata.cli.api.Endpoint.Service.CONTROL_PLANE;

import io.strata.cli.api.Endpoint.Body;
import io.strata.cli.api.Endpoint.Service;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every endpoint of the control plane and billing APIs, each with its command. EndpointCoverageTest
 * fails when a JAX-RS resource of either service has an endpoint that is not here (or this names
 * one that no longer exists), so the CLI stays in step with the API.
 */
public final class Endpoints {
  private static final String V1 = "/api/v1";
  private static final List<String> PAGE = List.of("cursor", "limit");

  private Endpoints() {}

  public static List<Endpoint> all() {
    List<Endpoint> e = new ArrayList<>();
    // ---- arrays
    e.add(cp("GET", "/arrays", "arrays list", "List the tenant's arrays", q(PAGE, "state", "name")));
    e.add(cp("POST", "/arrays", "arrays create", "Create an array (fields: name, engineSize E01.., ssdDrives, hddDrives, spread NODE|NONE, highAvailability)", REQUIRED));
    e.add(cp("GET", "/arrays/{id}", "arrays get", "Show an array"));
    e.add(cp("PATCH", "/arrays/{id}", "arrays update", "Change an array's engine size (engineSize=...)", REQUIRED).withIfMatch());
    e.add(cp("DELETE", "/arrays/{id}", "arrays delete", "Delete an array"));
    e.add(cp("GET", "/arrays/{id}/performance", "arrays performance", "An array's performance history", q(List.of(), "from", "to", "step")));
    e.add(cp("GET", "/arrays/{id}/drives", "arrays drives", "An array's drives"));
    e.add(cp("POST", "/arrays/{id}/drives", "arrays add-drives", "Add free drives to an array (type=SSD|HDD count=N)", REQUIRED));
    e.add(cp("DELETE", "/arrays/{id}/drives/{driveId}", "arrays remove-drive", "Take an unused drive out of an array"));
    e.add(cp("POST", "/arrays/{id}/hibernate", "arrays hibernate", "Stop an array's engines, keeping drives and data"));
    e.add(cp("POST", "/arrays/{id}/resume", "arrays resume", "Start a hibernated array's engines again"));
    e.add(cp("POST", "/arrays/{id}/retry", "arrays retry", "Retry a FAILED array"));
    // ---- pools
    e.add(cp("GET", "/pools", "pools list", "List pools", q(PAGE, "arrayId")));
    e.add(cp("POST", "/pools", "pools create", "Create a pool (fields: arrayId, name, driveType SSD|HDD, protection RAID1|RAID5|.., driveCount, cacheMode, tiering)", REQUIRED));
    e.add(cp("GET", "/pools/{id}", "pools get", "Show a pool"));
    e.add(cp("DELETE", "/pools/{id}", "pools delete", "Delete a pool"));
    e.add(cp("POST", "/pools/{id}/drives", "pools add-drives", "Grow a pool with more of its array's drives (driveIds:=[...], restripeRateMbps)", REQUIRED));
    e.add(cp("PUT", "/pools/{id}/restripe-policy", "pools restripe-policy", "Set a pool's restripe rate (rateMbps=N, 0: no limit)", REQUIRED));
    e.add(cp("POST", "/pools/{id}/scrub", "pools scrub", "Scrub a pool now (optional rateMbps=N)", OPTIONAL));
    e.add(cp("PUT", "/pools/{id}/scrub-policy", "pools scrub-policy", "Set a pool's scrub schedule (everyDays=N, rateMbps=N)", REQUIRED));
    e.add(cp("POST", "/pools/{id}/drives/{driveId}/replace", "pools replace-drive", "Replace a pool's drive (replacementDriveId=..., or none: the control plane picks)", REQUIRED));
    e.add(cp("GET", "/pools/{id}/performance", "pools performance", "A pool's performance history", q(List.of(), "from", "to", "step")));
    // ---- volumes
    e.add(cp("GET", "/volumes", "volumes list", "List volumes", q(PAGE, "arrayId", "poolId", "state", "name")));
    e.add(cp("POST", "/volumes", "volumes create", "Create a volume (fields: poolId, name, sizeGib, thin, qosIopsLimit, qosMbpsLimit, multiAttach, tierPin)", REQUIRED));
    e.add(cp("GET", "/volumes/{id}", "volumes get", "Show a volume"));
    e.add(cp("PATCH", "/volumes/{id}", "volumes update", "Grow a volume or change its QoS (sizeGib, qosIopsLimit, qosMbpsLimit, tierPin)", REQUIRED).withIfMatch());
    e.add(cp("DELETE", "/volumes/{id}", "volumes delete", "Delete a volume (it goes to the recycle bin)"));
    e.add(cp("GET", "/volumes/{id}/performance", "volumes performance", "A volume's performance history", q(List.of(), "from", "to", "step")));
    e.add(cp("POST", "/volumes/{id}/rollback", "volumes rollback", "Roll a volume back to a snapshot (snapshotId=..., force=true)", REQUIRED));
    e.add(cp("POST", "/volumes/{id}/move", "volumes move", "Move a volume to another pool (poolId=...)", REQUIRED));
    e.add(cp("POST", "/volumes/{id}/move/cancel", "volumes cancel-move", "Cancel a volume's move"));
    e.add(cp("POST", "/volumes/{id}/retry", "volumes retry", "Retry a FAILED volume"));
    // ---- snapshots and snapshot policies
    e.add(cp("GET", "/snapshots", "snapshots list", "List snapshots", q(PAGE, "volumeId", "state")));
    e.add(cp("POST", "/snapshots", "snapshots create", "Take a snapshot (volumeId=..., name=...)", REQUIRED));
    e.add(cp("GET", "/snapshots/{id}", "snapshots get", "Show a snapshot"));
    e.add(cp("DELETE", "/snapshots/{id}", "snapshots delete", "Delete a snapshot"));
    e.add(cp("POST", "/snapshots/{id}/clones", "snapshots clone", "Make a volume from a snapshot (name=..., sizeGib)", REQUIRED));
    e.add(cp("POST", "/snapshots/{id}/retry", "snapshots retry", "Retry a FAILED snapshot"));
    e.add(cp("GET", "/snapshot-policies", "policies list", "List snapshot policies", q(PAGE, "volumeId")));
    e.add(cp("POST", "/snapshot-policies", "policies create", "Create a snapshot policy (volumeId, name, intervalMinutes, retain, enabled)", REQUIRED));
    e.add(cp("GET", "/snapshot-policies/{id}", "policies get", "Show a snapshot policy"));
    e.add(cp("DELETE", "/snapshot-policies/{id}", "policies delete", "Delete a snapshot policy"));
    // ---- servers and attachments
    e.add(cp("GET", "/servers", "servers list", "List servers (initiators)", q(PAGE, "iqn")));
    e.add(cp("POST", "/servers", "servers create", "Register a server (name, iqn, chapUser, chapSecret, mutualChapUser, mutualChapSecret)", REQUIRED));
    e.add(cp("GET", "/servers/{id}", "servers get", "Show a server"));
    e.add(cp("PUT", "/servers/{id}/credentials", "servers set-credentials", "Replace a server's CHAP credentials (chapUser, chapSecret, mutualChapUser, mutualChapSecret)", REQUIRED).withIfMatch());
    e.add(cp("DELETE", "/servers/{id}", "servers delete", "Delete a server"));
    e.add(cp("GET", "/attachments", "attachments list", "List attachments", q(PAGE, "volumeId", "serverId", "state")));
    e.add(cp("POST", "/attachments", "attachments create", "Attach a volume to a server (volumeId, serverId, lun, readOnly)", REQUIRED));
    e.add(cp("GET", "/attachments/{id}", "attachments get", "Show an attachment and how to connect"));
    e.add(cp("DELETE", "/attachments/{id}", "attachments delete", "Detach"));
    e.add(cp("POST", "/attachments/{id}/retry", "attachments retry", "Retry a FAILED attachment"));
    // ---- recycle bin, operations, usage, audit, alerts, webhooks
    e.add(cp("GET", "/recycle-bin", "recycle-bin list", "Deleted volumes that can still be restored", q(PAGE, "arrayId")));
    e.add(cp("POST", "/recycle-bin/{id}/restore", "recycle-bin restore", "Restore a deleted volume (optional name=...)", OPTIONAL));
    e.add(cp("DELETE", "/recycle-bin/{id}", "recycle-bin purge", "Purge a deleted volume now"));
    e.add(cp("GET", "/operations", "operations list", "List operations", q(PAGE, "state", "targetId")));
    e.add(cp("GET", "/operations/{id}", "operations get", "Show an operation"));
    e.add(cp("GET", "/usage", "usage quota", "The tenant's objects counted against its quota"));
    e.add(cp("GET", "/audit", "audit list", "The tenant's audit log",
        q(PAGE, "object", "actor", "action", "from", "to", "result", "mark")));
    e.add(cp("GET", "/alerts", "alerts list", "The tenant's alerts", q(PAGE, "state", "condition", "array")));
    e.add(cp("GET", "/alerts/{id}", "alerts get", "Show an alert"));
    e.add(cp("GET", "/webhooks", "webhooks list", "The tenant's alert webhooks"));
    e.add(cp("POST", "/webhooks", "webhooks create", "Register an alert webhook (url=...)", REQUIRED));
    e.add(cp("GET", "/webhooks/{id}", "webhooks get", "Show a webhook"));
    e.add(cp("DELETE", "/webhooks/{id}", "webhooks delete", "Unregister a webhook"));
    e.add(cp("GET", "/webhooks/{id}/deliveries", "webhooks deliveries", "A webhook's deliveries", q(PAGE)));
    // ---- operator: tenants, nodes, drives, fleet
    e.add(cp("GET", "/admin/tenants", "admin tenants list", "List tenants", q(PAGE, "alias")));
    e.add(cp("POST", "/admin/tenants", "admin tenants create", "Create a tenant (alias, displayName, admin.username, admin.email, admin.password, quota.maxArrays, ...)", REQUIRED));
    e.add(cp("GET", "/admin/tenants/{id}", "admin tenants get", "Show a tenant"));
    e.add(cp("GET", "/admin/tenants/{id}/quota", "admin tenants quota", "Show a tenant's quota"));
    e.add(cp("PUT", "/admin/tenants/{id}/quota", "admin tenants set-quota", "Set a tenant's quota (maxArrays, maxSsdDrives, maxHddDrives, maxCapacityGib)", REQUIRED).withIfMatch());
    e.add(cp("GET", "/admin/nodes", "admin nodes list", "List storage nodes", q(PAGE, "state", "zone")));
    e.add(cp("POST", "/admin/nodes", "admin nodes enroll", "Enroll a storage node (name, zone, address, cpuCores, memoryGib)", REQUIRED));
    e.add(cp("GET", "/admin/nodes/{id}", "admin nodes get", "Show a node"));
    e.add(cp("PATCH", "/admin/nodes/{id}", "admin nodes set-state", "Set a node's state (state=ONLINE|MAINTENANCE|DECOMMISSIONED ...)", REQUIRED).withIfMatch());
    e.add(cp("POST", "/admin/nodes/{id}/drain", "admin nodes drain", "Move every engine off a node"));
    e.add(cp("POST", "/admin/nodes/{id}/undrain", "admin nodes undrain", "Bring a drained node back"));
    e.add(cp("GET", "/admin/drives", "admin drives list", "List drives", q(PAGE, "nodeId", "type")));
    e.add(cp("POST", "/admin/drives", "admin drives add", "Add a drive to a node (nodeId, serial, type SSD|HDD, capacityGib)", REQUIRED));
    e.add(cp("GET", "/admin/arrays", "admin arrays list", "Every tenant's arrays", q(PAGE, "tenantId", "tenant", "state", "nodeId")));
    e.add(cp("GET", "/admin/capacity", "admin capacity", "The fleet's capacity"));
    e.add(cp("POST", "/admin/{kind: arrays|volumes|snapshots|attachments}/{id}/retry", "admin retry",
        "Retry any tenant's FAILED object (KIND: arrays, volumes, snapshots, attachments)"));
    e.add(cp("GET", "/admin/audit", "admin audit", "The audit log of every tenant",
        q(PAGE, "tenant", "object", "actor", "action", "from", "to", "result", "mark")));
    e.add(cp("GET", "/admin/alerts", "admin alerts list", "Every tenant's alerts", q(PAGE, "tenant", "state", "condition", "array")));
    e.add(cp("GET", "/admin/alerts/{id}", "admin alerts get", "Show an alert"));
    e.add(cp("GET", "/admin/webhooks", "admin webhooks list", "Operator alert webhooks"));
    e.add(cp("POST", "/admin/webhooks", "admin webhooks create", "Register an operator webhook (url=...)", REQUIRED));
    e.add(cp("DELETE", "/admin/webhooks/{id}", "admin webhooks delete", "Unregister an operator webhook"));
    e.add(cp("GET", "/admin/webhooks/{id}/deliveries", "admin webhooks deliveries", "An operator webhook's deliveries", q(PAGE)));
    e.add(cp("GET", "/admin/alert-thresholds", "admin thresholds list", "Alert thresholds"));
    e.add(cp("PUT", "/admin/alert-thresholds/{name}", "admin thresholds set", "Set an alert threshold (value=...)", REQUIRED));
    // ---- billing: tenants and operators
    e.add(billing("GET", "/usage", "usage hourly", "Metered usage by hour (billing)", q(List.of(), "from", "to", "tenant"), NONE));
    e.add(billing("GET", "/invoices", "invoices list", "Invoices", q(List.of(), "tenant", "period", "page", "size"), NONE));
    e.add(billing("GET", "/invoices/{id}", "invoices get", "Show an invoice", List.of(), NONE));
    e.add(billing("GET", "/invoices/{id}/export", "invoices export", "An invoice as CSV or JSON (--format)", q(List.of(), "format"), NONE));
    e.add(billing("GET", "/cost", "invoices cost", "The running month's cost so far", q(List.of(), "tenant"), NONE));
    // ---- billing: operators
    e.add(billing("GET", "/plans", "admin plans list", "Price plans", List.of(), NONE));
    e.add(billing("POST", "/plans", "admin plans create", "Create a price plan", List.of(), REQUIRED));
    e.add(billing("GET", "/plans/{id}", "admin plans get", "Show a price plan", List.of(), NONE));
    e.add(billing("POST", "/plans/{id}/versions", "admin plans add-version", "Add a version of a plan's rates", List.of(), REQUIRED));
    e.add(billing("POST", "/plans/{id}/default", "admin plans make-default", "Make a plan the default", List.of(), NONE));
    e.add(billing("PUT", "/tenants/{tenant}/plan", "admin plans assign", "Put a tenant on a plan", List.of(), REQUIRED));
    e.add(billing("GET", "/tenants/{tenant}/plan", "admin plans assignments", "A tenant's plan assignments", List.of(), NONE));
    e.add(billing("POST", "/periods/{period}/close", "admin periods close", "Close a month for every tenant (PERIOD: 2026-11)", List.of(), NONE));
    e.add(billing("POST", "/periods/{period}/tenants/{tenant}/close", "admin periods close-tenant", "Close a month for one tenant", List.of(), NONE));
    e.add(billing("GET", "/periods/{period}/invoices/export", "admin periods export", "A month's invoices as CSV or JSON (--format)", q(List.of(), "format"), NONE));
    e.add(billing("GET", "/metering/status", "admin metering status", "Metering's consumer status", List.of(), NONE));
    e.add(billing("GET", "/metering/late-readings", "admin metering late-readings", "Readings that came after their hour closed", q(List.of(), "limit"), NONE));
    e.add(billing("POST", "/metering/late-readings/{id}/admit", "admin metering admit", "Admit a late reading", List.of(), NONE));
    e.add(billing("GET", "/metering/parked", "admin metering parked", "Messages metering could not read", q(List.of(), "limit"), NONE));
    return List.copyOf(e);
  }

  private static List<String> q(List<String> base, String... more) {
    List<String> all = new ArrayList<>(Arrays.asList(more));
    all.addAll(base);
    return all;
  }

  private static Endpoint cp(String method, String path, String command, String description) {
    return cp(method, path, command, description, List.of(), NONE);
  }

  private static Endpoint cp(String method, String path, String command, String description, List<String> query) {
    return cp(method, path, command, description, query, NONE);
  }

  private static Endpoint cp(String method, String path, String command, String description, Body body) {
    return cp(method, path, command, description, List.of(), body);
  }

  private static Endpoint cp(String method, String path, String command, String description, List<String> query, Body body) {
    return make(CONTROL_PLANE, method, path, command, description, query, body);
  }

  private static Endpoint billing(String method, String path, String command, String description, List<String> query, Body body) {
    return make(BILLING, method, path, command, description, query, body);
  }

  private static Endpoint make(Service service, String method, String path, String command, String description,
      List<String> query, Body body) {
    return new Endpoint(service, method, V1 + path, List.of(command.split(" ")), description, List.copyOf(query), body, false);
  }
}
