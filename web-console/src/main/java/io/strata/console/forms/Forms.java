package io.strata.console.forms;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jboss.resteasy.reactive.RestForm;

/**
 * The console's forms, one class each, carrying the same constraints as the control plane's
 * request bodies. Numbers arrive as text and are checked as patterns so that "abc" in a size
 * field gets a message instead of a 400 from the framework.
 */
public final class Forms {
  private Forms() {}

  public static final String COUNT = "^[0-9]{0,3}$";
  public static final String COUNT_MESSAGE = "must be a whole number";
  public static final String GIB = "^[1-9][0-9]{0,6}$";
  public static final String GIB_MESSAGE = "must be a whole number of GiB, 1 to 1048576";

  public static class ArrayForm {
    @RestForm @NotBlank(message = "give the array a name") @Pattern(regexp = Rules.NAME, message = Rules.NAME_MESSAGE)
    public String name;

    @RestForm @NotBlank(message = "choose an engine size") @Pattern(regexp = "E01|E02|E04|E08", message = "must be one of E01, E02, E04, E08")
    public String engineSize;

    @RestForm @Pattern(regexp = "NODE|ZONE|NONE|", message = "must be NODE, ZONE or NONE")
    public String spread;

    @RestForm @Pattern(regexp = COUNT, message = COUNT_MESSAGE)
    public String ssdDrives;

    @RestForm @Pattern(regexp = COUNT, message = COUNT_MESSAGE)
    public String hddDrives;

    /** The "High availability" checkbox: "true" when ticked, absent otherwise. */
    @RestForm @Pattern(regexp = "true|", message = "must be ticked or not")
    public String highAvailability;

    /** {@code true} when the form asks for two engines; null (left out of the request) otherwise. */
    public Boolean highAvailabilityAsked() {
      return "true".equals(highAvailability) ? Boolean.TRUE : null;
    }

    /** What a new form offers: a small array of two SSDs spread across nodes. */
    public static ArrayForm initial() {
      ArrayForm f = new ArrayForm();
      f.engineSize = "E01";
      f.spread = "NODE";
      f.ssdDrives = "2";
      f.hddDrives = "0";
      return f;
    }
  }

  public static class PoolForm {
    @RestForm @NotBlank(message = "choose the array") public String arrayId;

    @RestForm @NotBlank(message = "give the pool a name") @Pattern(regexp = Rules.NAME, message = Rules.NAME_MESSAGE)
    public String name;

    @RestForm @Pattern(regexp = "SSD|HDD", message = "must be SSD or HDD") public String driveType;

    @RestForm @Pattern(regexp = "RAID1|RAID10|RAID5|RAID6", message = "must be RAID1, RAID10, RAID5 or RAID6")
    public String protection;

    @RestForm @NotBlank(message = "how many drives?") @Pattern(regexp = COUNT, message = COUNT_MESSAGE)
    public String driveCount;

    @RestForm public String cacheMode;
    @RestForm public String tiering;
  }

  public static class VolumeForm {
    @RestForm @NotBlank(message = "choose the pool") public String poolId;

    @RestForm @NotBlank(message = "give the volume a name") @Pattern(regexp = Rules.NAME, message = Rules.NAME_MESSAGE)
    public String name;

    @RestForm @NotBlank(message = "give a size in GiB") @Pattern(regexp = GIB, message = GIB_MESSAGE)
    public String sizeGib;

    @RestForm public String thin;
    @RestForm public String multiAttach;

    @RestForm @Pattern(regexp = "^([1-9][0-9]{0,8})?$", message = "must be a positive whole number, or empty for no limit")
    public String qosIopsLimit;

    @RestForm @Pattern(regexp = "^([1-9][0-9]{0,8})?$", message = "must be a positive whole number, or empty for no limit")
    public String qosMbpsLimit;

    /** SSD, HDD, or empty for no pin (pools with tiering only; the control plane says so otherwise). */
    @RestForm @Pattern(regexp = "^(SSD|HDD)?$", message = "choose SSD, HDD or no pin")
    public String tierPin;
  }

  public static class VolumeChangeForm {
    @RestForm @Pattern(regexp = GIB, message = GIB_MESSAGE) public String sizeGib;

    @RestForm @Pattern(regexp = "^[0-9]{0,9}$", message = "must be a whole number; 0 removes the limit")
    public String qosIopsLimit;

    @RestForm @Pattern(regexp = "^[0-9]{0,9}$", message = "must be a whole number; 0 removes the limit")
    public String qosMbpsLimit;

    /** SSD, HDD or NONE (unpin). */
    @RestForm @Pattern(regexp = "^(SSD|HDD|NONE)?$", message = "choose SSD, HDD or no pin")
    public String tierPin;

    @RestForm public String etag;
  }

  public static class ServerForm {
    @RestForm @NotBlank(message = "give the server a name") @Pattern(regexp = Rules.NAME, message = Rules.NAME_MESSAGE)
    public String name;

    @RestForm @NotBlank(message = "paste the initiator name from /etc/iscsi/initiatorname.iscsi") @Pattern(regexp = Rules.IQN, message = Rules.IQN_MESSAGE)
    public String iqn;

    @RestForm public String mutualChap;
  }

  public static class AttachmentForm {
    @RestForm @NotBlank(message = "choose the volume") public String volumeId;
    @RestForm @NotBlank(message = "choose the server") public String serverId;

    @RestForm @Pattern(regexp = "^([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])?$", message = "must be 0-255, or empty to pick the next free LUN")
    public String lun;

    @RestForm public String readOnly;
  }

  public static class SnapshotForm {
    @RestForm @NotBlank(message = "choose the volume") public String volumeId;

    @RestForm @NotBlank(message = "give the snapshot a name") @Pattern(regexp = Rules.NAME, message = Rules.NAME_MESSAGE)
    public String name;
  }

  public static class CloneForm {
    @RestForm @NotBlank(message = "give the clone a name") @Pattern(regexp = Rules.NAME, message = Rules.NAME_MESSAGE)
    public String name;
  }

  public static class PolicyForm {
    @RestForm @NotBlank(message = "choose the volume") public String volumeId;

    @RestForm @NotBlank(message = "give the schedule a name") @Pattern(regexp = Rules.NAME, message = Rules.NAME_MESSAGE)
    public String name;

    @RestForm @NotBlank(message = "how often, in minutes?") @Pattern(regexp = "^[0-9]{1,6}$", message = "must be a whole number of minutes, 5 to 525600")
    public String intervalMinutes;

    @RestForm @NotBlank(message = "how many to keep?") @Pattern(regexp = "^[0-9]{1,4}$", message = "must be a whole number, 1 to 1000")
    public String retain;
  }

  public static class TenantForm {
    @RestForm @NotBlank(message = "give the tenant an alias") @Pattern(regexp = Rules.ALIAS, message = Rules.ALIAS_MESSAGE)
    public String alias;

    @RestForm @NotBlank(message = "give the tenant a display name") @Size(max = 200, message = "must be at most 200 characters")
    public String displayName;

    @RestForm @NotBlank(message = "name the tenant's first admin") @Pattern(regexp = Rules.USERNAME, message = Rules.USERNAME_MESSAGE)
    public String adminUsername;

    @RestForm @NotBlank(message = "the admin's e-mail address") @Email(message = "must be an e-mail address")
    public String adminEmail;

    @RestForm @NotBlank(message = "an initial password") @Size(min = 12, max = 128, message = "must be 12 to 128 characters")
    public String adminPassword;

    @RestForm @Pattern(regexp = "^[0-9]{0,5}$", message = COUNT_MESSAGE) public String maxArrays;
    @RestForm @Pattern(regexp = "^[0-9]{0,6}$", message = COUNT_MESSAGE) public String maxSsdDrives;
    @RestForm @Pattern(regexp = "^[0-9]{0,6}$", message = COUNT_MESSAGE) public String maxHddDrives;
    @RestForm @Pattern(regexp = "^[0-9]{0,12}$", message = COUNT_MESSAGE) public String maxCapacityGib;
  }

  public static class DriveAddForm {
    @RestForm @Pattern(regexp = "SSD|HDD", message = "must be SSD or HDD") public String type;

    @RestForm @NotBlank(message = "how many drives?") @Pattern(regexp = "^([1-9]|[1-5][0-9]|6[0-4])$", message = "must be a whole number, 1 to 64")
    public String count;
  }

  public static final String MONEY = "^([0-9]{1,9}(\\.[0-9]{1,9})?)?$";
  public static final String MONEY_MESSAGE = "must be a price like 0.0002 (a dot for decimals), or empty if not charged";

  /**
   * A price plan, or new rates for one (then name, currency and isDefault are not used). Rates
   * are per billing unit, as billing keys them: storage per GB-hour, engines per engine-hour, I/O
   * per million operations, transfer per GB. An empty rate is left out of the plan.
   */
  public static class PlanForm {
    @RestForm @Pattern(regexp = "^([a-z0-9][a-z0-9-]{0,62})?$", message = "must be lower-case letters, digits and dashes")
    public String name;

    @RestForm @Pattern(regexp = "^([A-Z]{3})?$", message = "must be an ISO 4217 code such as EUR or USD")
    public String currency;

    @RestForm public String isDefault;

    @RestForm @NotBlank(message = "from which day?") @Pattern(regexp = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", message = "must be a day, YYYY-MM-DD")
    public String effectiveFrom;

    @RestForm @Pattern(regexp = MONEY, message = MONEY_MESSAGE) public String rateSsd;
    @RestForm @Pattern(regexp = MONEY, message = MONEY_MESSAGE) public String rateHdd;
    @RestForm @Pattern(regexp = MONEY, message = MONEY_MESSAGE) public String rateE01;
    @RestForm @Pattern(regexp = MONEY, message = MONEY_MESSAGE) public String rateE02;
    @RestForm @Pattern(regexp = MONEY, message = MONEY_MESSAGE) public String rateE04;
    @RestForm @Pattern(regexp = MONEY, message = MONEY_MESSAGE) public String rateE08;
    @RestForm @Pattern(regexp = MONEY, message = MONEY_MESSAGE) public String rateIo;
    @RestForm @Pattern(regexp = MONEY, message = MONEY_MESSAGE) public String rateTransfer;

    /** The rates given, keyed as billing keys them ({@code storage:SSD}, {@code engine:E01}, {@code io} ...). */
    public java.util.Map<String, java.math.BigDecimal> rates() {
      java.util.Map<String, java.math.BigDecimal> rates = new java.util.LinkedHashMap<>();
      put(rates, "storage:SSD", rateSsd);
      put(rates, "storage:HDD", rateHdd);
      put(rates, "engine:E01", rateE01);
      put(rates, "engine:E02", rateE02);
      put(rates, "engine:E04", rateE04);
      put(rates, "engine:E08", rateE08);
      put(rates, "io", rateIo);
      put(rates, "transfer", rateTransfer);
      return rates;
    }

    private static void put(java.util.Map<String, java.math.BigDecimal> rates, String key, String value) {
      if (value != null && !value.isBlank()) {
        rates.put(key, new java.math.BigDecimal(value.trim()));
      }
    }
  }

  /** Parses a field already checked by its pattern; empty means "not given". */
  public static Integer intOrNull(String s) {
    return s == null || s.isBlank() ? null : Integer.valueOf(s.trim());
  }

  public static Long longOrNull(String s) {
    return s == null || s.isBlank() ? null : Long.valueOf(s.trim());
  }

  public static boolean checked(String s) {
    return s != null && (s.equals("on") || s.equals("true"));
  }

  public static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
