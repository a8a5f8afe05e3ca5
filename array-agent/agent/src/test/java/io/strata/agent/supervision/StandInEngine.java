package io.strata.agent.supervision;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A process with the engine's command line and life cycle but no iSCSI: it binds the portal,
 * prints its ready line, and echoes whatever a client sends. Supervision tests use it where the
 * real engine's main class is not in the build yet; it exercises the same launch, readiness,
 * crash and stop paths.
 */
public final class StandInEngine {

  public static void main(String[] args) throws Exception {
    String portal = null;
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--portal")) {
        portal = args[i + 1];
      }
    }
    if (portal == null) {
      System.out.println("error: --portal is required");
      System.exit(2);
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
}
