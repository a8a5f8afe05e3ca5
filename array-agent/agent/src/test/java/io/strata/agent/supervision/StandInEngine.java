package io.strata.agent.supervision;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process with the engine's command line and life cycle but no iSCSI: it binds the portal,
 * prints its ready line, and echoes whatever a client sends. Like the engine, it answers its
 * {@code --layout} at start and on SIGHUP by writing {@code --layout-status} with the layout's
 * revision (always ok: it checks nothing), and in {@code --exports} mode its exports file likewise. Supervision tests use it to exercise the same launch,
 * readiness, reload, crash and stop paths without the block stack.
 *
 * <p>For a highly available array it reports the layout's {@code ha} role and epoch as its own
 * (state = role, nothing awaiting a drop). While a file {@code hold-answers} exists beside its
 * status file it answers nothing (a service slow to apply a revision), so tests can see what
 * waits for it.
 */
public final class StandInEngine {

  private static final Pattern REVISION = Pattern.compile("\"revision\"\\s*:\\s*(\\d+)");
  private static final Pattern HA_ROLE = Pattern.compile("\"ha\"\\s*:\\s*\\{\\s*\"role\"\\s*:\\s*\"(\\w+)\"");
  private static final Pattern HA_EPOCH = Pattern.compile("\"ha\"\\s*:\\s*\\{[^}]*\"epoch\"\\s*:\\s*(\\d+)");

  public static void main(String[] args) throws Exception {
    String portal = option(args, "--portal");
    if (portal == null) {
      System.out.println("error: --portal is required");
      System.exit(2);
    }
    // the drive export service (--exports) answers its exports file the same way
    String layout = option(args, "--layout") != null ? option(args, "--layout") : option(args, "--exports");
    String status = option(args, "--layout-status");
    if (layout != null && status != null) {
      answer(Path.of(layout), Path.of(status));
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> answer(Path.of(layout), Path.of(status)));
    }
    int colon = portal.lastIndexOf(':');
    ServerSocket server = new ServerSocket(Integer.parseInt(portal.substring(colon + 1)), 50,
        InetAddress.getByName(portal.substring(0, colon)));
    System.out.println("stand-in engine ready on " + portal);
    System.out.flush();
    while (true) {
      Socket client = server.accept();
      Thread echo = new Thread(() -> {
        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
          in.transferTo(out);
        } catch (Exception e) {
          // client went away
        }
      });
      echo.setDaemon(true);
      echo.start();
    }
  }

  private static String option(String[] args, String name) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return null;
  }

  private static void answer(Path layout, Path status) {
    try {
      if (Files.exists(status.resolveSibling("hold-answers"))) {
        System.out.println("stand-in engine holds its answer");
        return;
      }
      String text = Files.readString(layout, StandardCharsets.UTF_8);
      Matcher m = REVISION.matcher(text);
      long revision = m.find() ? Long.parseLong(m.group(1)) : 0;
      Matcher role = HA_ROLE.matcher(text);
      Matcher epoch = HA_EPOCH.matcher(text);
      String ha = role.find() && epoch.find()
          ? ",\"ha\":{\"role\":\"" + role.group(1) + "\",\"epoch\":" + epoch.group(1) + ",\"state\":\""
              + role.group(1) + "\",\"awaitingDrop\":[]}"
          : "";
      Path temp = status.resolveSibling(status.getFileName() + ".tmp");
      Files.writeString(temp, "{\"revision\":" + revision + ",\"ok\":true,\"time\":\"" + Instant.now() + "\"" + ha + "}");
      Files.move(temp, status, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      System.out.println("stand-in engine applied layout revision " + revision);
    } catch (Exception e) {
      System.out.println("stand-in engine cannot answer its layout: " + e.getMessage());
    }
  }
}
