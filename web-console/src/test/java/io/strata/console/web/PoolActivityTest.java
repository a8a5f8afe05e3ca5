package io.strata.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.console.api.ControlPlane.PoolView;
import org.junit.jupiter.api.Test;

/** What the pool page says of a pool's rebuild and scrub, read from the control plane's JSON. */
class PoolActivityTest {
  static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

  static PoolView pool(String rebuild, String lastScrub) throws Exception {
    return JSON.readValue("""
        {"id":"00000000-0000-0000-0000-000000000001","arrayId":"00000000-0000-0000-0000-000000000002",
         "name":"fast","driveType":"SSD","protection":"RAID1","cacheMode":"NONE","tiering":false,
         "capacityGib":4,"createdAt":"2026-12-07T08:00:00Z",
         "scrub":{"everyDays":7,"rateMbps":50,"requestId":null,"requestedAt":null},
         "rebuild":%s,"lastScrub":%s,"somethingNew":1}""".formatted(rebuild, lastScrub), PoolView.class);
  }

  @Test
  void aRunningCopyIsAProgressBarWithItsBytesAndThePageKeepsPolling() throws Exception {
    PoolActivity a = PoolActivity.of(pool("""
        {"kind":"COPY","member":0,"driveId":"d-9","bytesDone":3221225472,"bytesTotal":12884901888,
         "percent":25.0,"reportedAt":"2026-12-07T09:00:00Z"}""", "null"));
    assertThat(a.rebuilding()).isTrue();
    assertThat(a.rebuildPercent()).isEqualTo(25);
    assertThat(a.rebuildLine()).isEqualTo(
        "Copying drive #0 (d-9) onto its replacement (the pool keeps its redundancy): 3.0 GiB of 12.0 GiB (25.0%)");
    assertThat(a.scrubbed()).isFalse();
    assertThat(a.live()).isTrue();
  }

  @Test
  void aRestripeSaysTheNewCapacityComesWhenItIsDone() throws Exception {
    PoolActivity a = PoolActivity.of(pool("""
        {"kind":"RESTRIPE","member":null,"driveId":null,"bytesDone":1073741824,"bytesTotal":4294967296,
         "percent":25.0,"reportedAt":"2026-12-07T09:00:00Z"}""", "null"));
    assertThat(a.rebuilding()).isTrue();
    assertThat(a.rebuildLine()).isEqualTo(
        "Restriping onto the added drives (the new capacity is usable when done): 1.0 GiB of 4.0 GiB (25.0%)");
  }

  @Test
  void aStuckRestripeSaysWhyAndBothCapacitiesShowWhileItRuns() throws Exception {
    PoolView p = pool("""
        {"kind":"RESTRIPE","member":null,"driveId":null,"bytesDone":1073741824,"bytesTotal":4294967296,
         "percent":25.0,"failedAttempts":3,"error":"drive ssd-3: write failed",
         "reportedAt":"2026-12-07T09:00:00Z"}""", "null");
    PoolView restriping = new PoolView(p.id(), p.arrayId(), p.name(), p.driveType(), "RAID5", p.cacheMode(), false,
        8, 12, p.createdAt(), p.scrub(), p.rebuild(), null, null);
    PoolActivity a = PoolActivity.of(restriping);
    assertThat(a.rebuildErrorLine()).isEqualTo("The restripe stopped on an error 3 times in a row; the engine tries"
        + " again by itself. Last error: drive ssd-3: write failed");
    assertThat(a.restripeCapacityLine())
        .isEqualTo("Capacity for volumes: 8 GiB now, 12 GiB once the restripe onto the added drives is done.");
    assertThat(a.live()).isTrue();

    PoolActivity going = PoolActivity.of(pool("""
        {"kind":"RESTRIPE","member":null,"driveId":null,"bytesDone":1073741824,"bytesTotal":4294967296,
         "percent":25.0,"reportedAt":"2026-12-07T09:00:00Z"}""", "null"));
    assertThat(going.rebuildErrorLine()).as("no attempt stopped (or a control plane before the field)").isNull();
    assertThat(going.restripeCapacityLine()).as("no targetCapacityGib above capacityGib").isNull();
  }

  @Test
  void aFinishedScrubSaysWhatItFoundAndUnrepairableBlocksAreAProblem() throws Exception {
    PoolActivity a = PoolActivity.of(pool("null", """
        {"requestId":"r","state":"DONE","rowsDone":12,"rows":12,"percent":100.0,"mismatchedBlocks":5,
         "repairedBlocks":3,"unrepairableBlocks":2,"skippedRows":0,"startedAt":"2026-12-07T08:00:00Z",
         "finishedAt":"2026-12-07T08:10:00Z","error":null,"reportedAt":"2026-12-07T08:10:01Z"}"""));
    assertThat(a.rebuilding()).isFalse();
    assertThat(a.scrubLine()).isEqualTo(
        "Last scrub finished 2026-12-07T08:10:00Z: 5 mismatched block(s), 3 repaired, 2 unrepairable.");
    assertThat(a.unrepairable()).isTrue();
    assertThat(a.live()).as("nothing runs: no polling").isFalse();
  }

  @Test
  void aRunningScrubOfACleanPoolPollsAndSaysNoMismatch() throws Exception {
    PoolActivity a = PoolActivity.of(pool("null", """
        {"requestId":"r","state":"RUNNING","rowsDone":3,"rows":12,"percent":25.0,"mismatchedBlocks":0,
         "repairedBlocks":0,"unrepairableBlocks":0,"skippedRows":0,"startedAt":"2026-12-07T08:00:00Z"}"""));
    assertThat(a.scrubRunning()).isTrue();
    assertThat(a.scrubLine()).isEqualTo("Scrub running, 25.0% checked: no mismatch found.");
    assertThat(a.live()).isTrue();
    assertThat(a.unrepairable()).isFalse();
  }

  static PoolView poolAsked(String requestId, String lastScrub) throws Exception {
    return JSON.readValue("""
        {"id":"00000000-0000-0000-0000-000000000001","arrayId":"00000000-0000-0000-0000-000000000002",
         "name":"fast","driveType":"SSD","protection":"RAID1","cacheMode":"NONE","tiering":false,
         "capacityGib":4,"createdAt":"2026-12-07T08:00:00Z",
         "scrub":{"everyDays":null,"rateMbps":50,"requestId":"%s","requestedAt":"2026-12-07T09:30:00Z"},
         "rebuild":null,"lastScrub":%s}""".formatted(requestId, lastScrub), PoolView.class);
  }

  @Test
  void aScrubAskedForThatTheEngineHasNotReportedYetSaysSoAndThePageKeepsPolling() throws Exception {
    String asked = "00000000-0000-0000-0000-0000000000f2";
    // Scrub now on a pool never scrubbed: not "Never scrubbed", and the page polls until the engine reports
    PoolActivity first = PoolActivity.of(poolAsked(asked, "null"));
    assertThat(first.scrubAskedLine()).isEqualTo(
        "Scrub asked for at 2026-12-07T09:30:00Z: waiting for the engine to start it.");
    assertThat(first.scrubbed()).isFalse();
    assertThat(first.live()).isTrue();

    // the last report is of an earlier scrub: both are said, and the page polls
    PoolActivity again = PoolActivity.of(poolAsked(asked, """
        {"requestId":"00000000-0000-0000-0000-0000000000f1","state":"DONE","rowsDone":12,"rows":12,"percent":100.0,
         "mismatchedBlocks":0,"repairedBlocks":0,"unrepairableBlocks":0,"skippedRows":0,
         "finishedAt":"2026-12-07T08:10:00Z"}"""));
    assertThat(again.scrubAskedLine()).startsWith("Scrub asked for");
    assertThat(again.scrubLine()).startsWith("Last scrub finished");
    assertThat(again.live()).isTrue();

    // the engine reports the scrub asked for: nothing is waiting any more
    PoolActivity done = PoolActivity.of(poolAsked(asked, """
        {"requestId":"%s","state":"DONE","rowsDone":12,"rows":12,"percent":100.0,"mismatchedBlocks":0,
         "repairedBlocks":0,"unrepairableBlocks":0,"skippedRows":0,"finishedAt":"2026-12-07T09:40:00Z"}"""
        .formatted(asked)));
    assertThat(done.scrubAskedLine()).isNull();
    assertThat(done.live()).isFalse();
  }
}
