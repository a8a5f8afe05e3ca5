package io.strata.console.api;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Makes a page's independent API calls side by side instead of one after the other, so that a
 * page costs its slowest call rather than the sum of them. Each call still goes out with the
 * signed-in user's token: it is read here, on the request's thread, and handed to the call's
 * thread ({@link AccessTokenHeaders#forThisThread}), where the request's security identity is
 * not available.
 */
@ApplicationScoped
public class SideBySide {

  private final AtomicInteger threads = new AtomicInteger();
  private final ExecutorService pool = Executors.newFixedThreadPool(16, task -> {
    Thread t = new Thread(task, "console-api-" + threads.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  @Inject SecurityIdentity identity;

  /** Starts the call now; {@link #join} waits for its answer. */
  public <T> CompletableFuture<T> start(Supplier<T> call) {
    AccessTokenCredential credential = identity.getCredential(AccessTokenCredential.class);
    String token = credential == null ? null : credential.getToken();
    return CompletableFuture.supplyAsync(() -> AccessTokenHeaders.forThisThread(token, call), pool);
  }

  /** The call's answer, or the exception it threw (an {@link ApiProblem} stays one). */
  public static <T> T join(CompletableFuture<T> call) {
    try {
      return call.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  @PreDestroy
  void stop() {
    pool.shutdownNow();
  }
}
