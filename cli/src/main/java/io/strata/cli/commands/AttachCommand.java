package io.strata.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.cli.CliException;
import io.strata.cli.ExitCode;
import io.strata.cli.Session;
import io.strata.cli.api.Endpoint;
import io.strata.cli.http.ApiClient;
import io.strata.cli.http.Http;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata attach ATTACHMENT_ID}: connects this Linux host to an ATTACHED attachment with
 * open-iscsi (and dm-multipath for several portals), running the steps of {@link AttachPlan} as
 * root; {@code --dry-run} prints them instead. CHAP secrets come from STRATA_CHAP_SECRET and
 * STRATA_MUTUAL_CHAP_SECRET (the API never returns them).
 */
@Command(name = "attach", mixinStandardHelpOptions = true,
    description = {"Connect this Linux host to an attachment: iscsiadm node records with CHAP, login,",
        "dm-multipath for several portals. Run as root; --dry-run prints the steps.",
        "CHAP secrets: STRATA_CHAP_SECRET, STRATA_MUTUAL_CHAP_SECRET."})
public class AttachCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ATTACHMENT_ID", description = "the attachment (strata attachments create ... --wait)")
  String attachmentId;

  @Option(names = "--dry-run", description = "print the steps, run nothing")
  boolean dryRun;

  @Option(names = "--profile", paramLabel = "NAME", description = "the profile (default: STRATA_PROFILE, else the current one)")
  String profileName;

  private final Session session;

  public AttachCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    ApiClient api = session.api(session.profiles(profileName));
    JsonNode attachment = api.call(new ApiClient.Request(Endpoint.Service.CONTROL_PLANE, "GET",
        "/api/v1/attachments/" + Http.enc(attachmentId), Map.of(), null, Map.of())).json();
    String state = attachment.path("state").asText();
    if (!"ATTACHED".equals(state)) {
      throw new CliException(ExitCode.CONFLICT, "attachment " + attachmentId + " is " + state
          + ", not ATTACHED (strata attachments get " + attachmentId + ")");
    }
    JsonNode connection = attachment.path("connection");
    String chap = session.env.variable("STRATA_CHAP_SECRET");
    String mutual = session.env.variable("STRATA_MUTUAL_CHAP_SECRET");
    boolean needsChap = !connection.path("chapUser").asText("").isBlank();
    List<AttachPlan.Step> steps;
    try {
      steps = AttachPlan.steps(connection, chap, mutual);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.SERVER_OR_NETWORK, e.getMessage());
    }
    String initiator = connection.path("initiatorIqn").asText();
    if (dryRun) {
      session.env.out.println("# this host's initiator name (/etc/iscsi/initiatorname.iscsi) must be " + initiator);
      steps.forEach(s -> session.env.out.println(AttachPlan.shell(s)));
      session.env.out.println("# the volume: " + AttachPlan.byPath(connection.path("portals").path(0).asText(),
          connection.path("targetIqn").asText(), connection.path("lun").asInt())
          + (connection.path("portals").size() > 1 ? " (use /dev/mapper/... that multipath -ll shows)" : ""));
      session.env.out.flush();
      return ExitCode.OK.code;
    }
    if (needsChap && chap == null) {
      throw new CliException(ExitCode.USAGE, "the attachment uses CHAP: set STRATA_CHAP_SECRET to the server's secret");
    }
    requireInitiator(initiator);
    for (AttachPlan.Step step : steps) {
      session.env.err.println("+ " + AttachPlan.shell(step));
      session.env.err.flush();
      run(step);
    }
    return ExitCode.OK.code;
  }

  private void requireInitiator(String expected) {
    Path file = Path.of("/etc/iscsi/initiatorname.iscsi");
    try {
      String text = Files.readString(file);
      if (!text.contains("InitiatorName=" + expected)) {
        throw new CliException(ExitCode.CONFLICT, file + " does not name " + expected
            + ", the initiator the attachment's server is registered with");
      }
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot read " + file + " (is open-iscsi installed?): " + e.getMessage());
    }
  }

  private void run(AttachPlan.Step step) {
    try {
      if (step instanceof AttachPlan.WriteFile w) {
        Files.createDirectories(Path.of(w.path()).getParent());
        Files.writeString(Path.of(w.path()), w.content());
        return;
      }
      AttachPlan.Run r = (AttachPlan.Run) step;
      Process p = new ProcessBuilder(r.argv()).inheritIO().start();
      int status = p.waitFor();
      // a node record that exists already is fine: the updates that follow set it as needed
      boolean existingRecord = status == 15 && r.argv().contains("new");
      if (status != 0 && !existingRecord) {
        throw new CliException(ExitCode.SERVER_OR_NETWORK, r.argv().get(0) + " exited with " + status);
      }
    } catch (IOException e) {
      throw new CliException(ExitCode.SERVER_OR_NETWORK, "cannot run " + AttachPlan.shell(step).split(" ")[0] + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.SERVER_OR_NETWORK, "interrupted");
    }
  }
}
