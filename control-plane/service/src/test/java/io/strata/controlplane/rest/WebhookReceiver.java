package io.strata.controlplane.rest;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real HTTP server on 127.0.0.1 that keeps what webhooks POST to it, answering the statuses it is told (then 204). */
final class WebhookReceiver implements AutoCloseable {
  record Received(Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
          .map(e -> e.getValue().get(0)).orElse(null);
    }
  }

  private final HttpServer server;
  final List<Received> received = new CopyOnWriteArrayList<>();
  private final Deque<Integer> answers = new ArrayDeque<>();

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new Received(Map.copyOf(exchange.getRequestHeaders()), body));
      int status;
      synchronized (answers) {
        status = answers.isEmpty() ? 204 : answers.poll();
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  /** The next answers, in order, before the default 204. */
  void answerNext(int... statuses) {
    synchronized (answers) {
      for (int s : statuses) {
        answers.add(s);
      }
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
