package io.strata.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What a tenant sees of a performance history on a volume, array or pool page. */
class PerformanceChartsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode view(String points) throws Exception {
    return JSON.readTree("""
        {"kind":"pool","id":"00000000-0000-0000-0000-000000000001","from":"2026-12-07T08:00:00Z",
         "to":"2026-12-07T09:00:00Z","stepSeconds":60,"points":[%s]}""".formatted(points));
  }

  @Test
  void eachFigureIsAChartWithALinePerSeries() throws Exception {
    String html = PerformanceCharts.html(view("""
        {"time":"2026-12-07T08:00:00Z","readIops":100.0,"writeIops":10.0,"readMBps":0.4,"writeMBps":0.1,
         "readLatencyP50Ms":0.8,"readLatencyP99Ms":2.0,"writeLatencyP50Ms":0.5,"writeLatencyP99Ms":0.7,
         "cacheHitRatio":0.5,"ssdUsedBytes":1073741824,"hddUsedBytes":5368709120},
        {"time":"2026-12-07T08:30:00Z","readIops":200.0,"writeIops":20.0,"readMBps":0.8,"writeMBps":0.2,
         "readLatencyP50Ms":1.2,"readLatencyP99Ms":9.0,"writeLatencyP50Ms":0.5,"writeLatencyP99Ms":0.7,
         "cacheHitRatio":0.75,"ssdUsedBytes":1073741824,"hddUsedBytes":5368709120}"""));

    assertThat(html).contains("aria-label=\"IOPS\"", "aria-label=\"Throughput\"", "aria-label=\"Latency\"",
        "aria-label=\"Cache hit ratio\"", "aria-label=\"Used capacity by tier\"");
    assertThat(html).as("the busiest point sets the scale").contains("ops/s, max 200)");
    assertThat(html).contains("%, max 75.00)").contains("GiB, max 5.00)");
    // readIops: 08:00 at x=0 on the floor's top... 200 at the top, half way across
    assertThat(html).containsPattern("data-line=\"readIops\" points=\"0\\.0,[0-9.]+ 160\\.0,2\\.0\"");
    assertThat(html).doesNotContain("performance-empty");
  }

  @Test
  void aVolumeHasNoCacheOrTierChartAndNoIoSaysSo() throws Exception {
    String volume = PerformanceCharts.html(view("""
        {"time":"2026-12-07T08:00:00Z","readIops":1.0,"writeIops":0.0,"readMBps":0.0,"writeMBps":0.0,
         "readLatencyP50Ms":0.1,"readLatencyP99Ms":0.2,"writeLatencyP50Ms":null,"writeLatencyP99Ms":null,
         "cacheHitRatio":null,"ssdUsedBytes":null,"hddUsedBytes":null}"""));
    assertThat(volume).contains("aria-label=\"IOPS\"").doesNotContain("Cache hit ratio", "Used capacity");
    assertThat(volume).doesNotContain("data-line=\"writeLatencyP99Ms\"");

    assertThat(PerformanceCharts.html(view(""))).contains("data-testid=\"performance-empty\"", "No I/O recorded")
        .doesNotContain("<svg");
  }
}
