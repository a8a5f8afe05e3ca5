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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 that keeps what webhooks POST to it, answering the statuses it
 * is told (then 204). Requests are served on their own threads, so one can be held ({@link
 * #holdFirst}) while others are answered.
 */
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
  private volatile CountDownLatch hold;
  /** Counted down when the held request has arrived. */
  final CountDownLatch heldArrived = new CountDownLatch(1);

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new Received(Map.copyOf(exchange.getRequestHeaders()), body));
      CountDownLatch release = hold;
      if (release != null) {
        hold = null; // only the first
        heldArrived.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      int status;
      synchronized (answers) {
        status = answers.isEmpty() ? 204 : answers.poll();
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.setExecutor(Executors.newCachedThreadPool());
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

  /** Holds the next request, before it is answered, until {@code release} is counted down. */
  void holdFirst(CountDownLatch release) {
    hold = release;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
