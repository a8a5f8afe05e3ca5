package io.strata.billing.tracing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.strata.billing.support.Await;
import io.strata.billing.support.BillingTestProfile;
import io.strata.billing.support.UsageStream;
import io.strata.contracts.Topics;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.testsupport.InMemorySpans;
import io.strata.testsupport.Tokens;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * Billing in the trace (issue 19, point 5; docs/observability.md, "Tracing"), against the real
 * Kafka, PostgreSQL and Keycloak, spans kept in memory ({@link InMemorySpans}): a usage sample whose
 * record carries the agent's traceparent is stored in a CONSUMER span continuing that trace, and
 * a REST request with a traceparent is a SERVER span of the caller's trace whose log lines carry
 * its trace id.
 */
@QuarkusTest
@TestProfile(BillingTestProfile.class)
class MeteringTracingTest {

  static final long GB = 1_000_000_000L;

  @Inject InMemorySpans spans;

  /** A W3C traceparent of a sampled span the caller made: 00-trace-span-01. */
  static String traceparent(String traceId, String spanId) {
    return "00-" + traceId + "-" + spanId + "-01";
  }

  static String hex(int length) {
    return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "").substring(0, length);
  }

  @Test
  void aUsageSampleIsStoredInTheTraceOfTheAgentThatSentIt() {
    String traceId = hex(32);
    String agentSpan = hex(16);
    String array = "a-traced-" + hex(6);
    Instant start = Instant.parse("2026-03-10T10:00:00Z");
    try (UsageStream stream = new UsageStream()) {
      stream.tracedSample("agent/node-t", 1, sample(array, "tracing", start), traceparent(traceId, agentSpan));
      // a sample without a header is stored all the same, and makes no span
      stream.sample("agent/node-t", 2, sample(array, "tracing", start.plus(Duration.ofHours(1))));
    }
    SpanData process = Await.until("the consumer's span in the agent's trace", () -> inTrace(traceId, SpanKind.CONSUMER),
        Optional::isPresent, Duration.ofSeconds(60)).orElseThrow();
    assertThat(process.getName()).isEqualTo("process " + Topics.USAGE);
    assertThat(process.getParentSpanId()).as("its parent: the agent's publish span").isEqualTo(agentSpan);
    assertThat(process.getParentSpanContext().isRemote()).isTrue();
    assertThat(process.getAttributes().asMap()).containsValues("kafka", Topics.USAGE);
    assertThat(process.getAttributes().asMap().toString()).contains("stored=");
    assertThat(spans.finished().stream().filter(s -> s.getKind() == SpanKind.CONSUMER)
        .filter(s -> s.getParentSpanContext().getTraceId().equals(traceId))).hasSize(1);
  }

  @Test
  void aRequestIsASpanOfTheCallersTraceAndItsLogLinesCarryTheTraceId() throws Exception {
    String ops = Tokens.accessToken("ops");
    String tenant = "traced-" + hex(6);
    Instant start = Instant.parse("2026-02-10T10:00:00Z");
    long plan = given().auth().oauth2(ops).contentType(ContentType.JSON).body("""
        {"name":"%s","currency":"EUR","isDefault":false,"effectiveFrom":"2026-01-01T00:00:00Z",
         "rates":{"storage:SSD":"0.0001875","storage:HDD":"0.00005","engine:small":"0.05","io":"0.215","transfer":"0.01"}}"""
        .formatted(tenant)).post("/api/v1/plans").then().statusCode(201).extract().jsonPath().getLong("id");
    given().auth().oauth2(ops).contentType(ContentType.JSON)
        .body(Map.of("planId", plan, "effectiveFrom", "2026-01-01T00:00:00Z"))
        .put("/api/v1/tenants/" + tenant + "/plan").then().statusCode(200);
    try (UsageStream stream = new UsageStream()) {
      stream.sample("agent/node-t2", 1, sample("a-" + tenant, tenant, start));
    }
    Await.until("the sample stored", () -> given().auth().oauth2(ops).get("/api/v1/usage?tenant=" + tenant
        + "&from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z").then().statusCode(200).extract().jsonPath()
        .getList("$").size(), rows -> rows > 0, Duration.ofSeconds(60));

    // the close logs what it closed, in the request
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
          ext.copyMdc(); // the request's MDC as it is now, on the request's thread
        }
        logged.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger invoices = Logger.getLogger("io.strata.billing.service.InvoiceService");
    invoices.addHandler(capture);
    String traceId = hex(32);
    String callerSpan = hex(16);
    try {
      given().auth().oauth2(ops).header("traceparent", traceparent(traceId, callerSpan))
          .post("/api/v1/periods/2026-02/tenants/" + tenant + "/close").then().statusCode(201);
    } finally {
      invoices.removeHandler(capture);
    }

    SpanData request = Await.until("the request's span", () -> inTrace(traceId, SpanKind.SERVER), Optional::isPresent,
        Duration.ofSeconds(20)).orElseThrow();
    assertThat(request.getParentSpanId()).as("the caller's span").isEqualTo(callerSpan);
    assertThat(request.getName()).contains("/api/v1/periods");
    ExtLogRecord closed = logged.stream().filter(r -> r.getMessage() != null)
        .map(ExtLogRecord.class::cast).filter(r -> r.getFormattedMessage().contains("closed 2026-02 for 1 tenant"))
        .findFirst().orElseThrow(() -> new AssertionError("no 'closed' log line among " + logged.size()));
    assertThat(closed.getMdc("traceId")).as("the log line's trace id").isEqualTo(traceId);
    assertThat(closed.getMdc("spanId")).isEqualTo(request.getSpanId());
  }

  private Optional<SpanData> inTrace(String traceId, SpanKind kind) {
    return spans.finished().stream().filter(s -> s.getTraceId().equals(traceId) && s.getKind() == kind)
        .findFirst();
  }

  static ArrayUsageSample sample(String array, String tenant, Instant start) {
    return new ArrayUsageSample(array, tenant, "node-t", start, start.plus(Duration.ofHours(1)),
        List.of(new DriveAllocation(DriveType.SSD, 1, 500 * GB)), "small", List.of(), 0, 0, 1000, 1000,
        GB, GB);
  }
}
