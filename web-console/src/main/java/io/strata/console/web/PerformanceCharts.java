package io.strata.console.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a performance history ({@code GET /api/v1/.../{id}/performance}) as small line charts in
 * inline SVG, on the server: IOPS, MB/s, latency p50/p99, cache hit ratio and space by tier. No
 * chart library and no script beyond htmx (which refreshes the fragment): the charts are a few
 * polylines, and the page's Content-Security-Policy stays as strict as it is. Only numbers from
 * the answer and fixed labels reach the markup.
 */
public final class PerformanceCharts {

  static final int WIDTH = 320;
  static final int HEIGHT = 90;
  private static final String[] COLOURS = {"#1f6feb", "#d1242f", "#8250df"};

  /** One line: its label and the field of a point it draws ({@code scale} multiplies the value). */
  record Line(String label, String field, double scale) {}

  /** One chart: title, unit and its lines. */
  record Chart(String title, String unit, List<Line> lines) {}

  static final double GIB = 1L << 30;
  static final List<Chart> CHARTS = List.of(
      new Chart("IOPS", "ops/s", List.of(new Line("read", "readIops", 1), new Line("write", "writeIops", 1))),
      new Chart("Throughput", "MB/s", List.of(new Line("read", "readMBps", 1), new Line("write", "writeMBps", 1))),
      new Chart("Latency", "ms", List.of(new Line("read p50", "readLatencyP50Ms", 1),
          new Line("read p99", "readLatencyP99Ms", 1), new Line("write p99", "writeLatencyP99Ms", 1))),
      new Chart("Cache hit ratio", "%", List.of(new Line("hits", "cacheHitRatio", 100))),
      new Chart("Used capacity by tier", "GiB", List.of(new Line("SSD", "ssdUsedBytes", 1 / GIB),
          new Line("HDD", "hddUsedBytes", 1 / GIB))));

  private PerformanceCharts() {}

  /** The charts of {@code view}; a chart none of whose lines has a value is left out. */
  public static String html(JsonNode view) {
    JsonNode points = view.path("points");
    Instant from = Instant.parse(view.path("from").asText());
    Instant to = Instant.parse(view.path("to").asText());
    StringBuilder out = new StringBuilder("<div class=\"perf-charts\" data-testid=\"performance-charts\">");
    int drawn = 0;
    for (Chart chart : CHARTS) {
      String svg = chart(chart, points, from, to);
      if (svg != null) {
        out.append(svg);
        drawn++;
      }
    }
    if (drawn == 0) {
      out.append("<p class=\"muted\" data-testid=\"performance-empty\">No I/O recorded between ")
          .append(from).append(" and ").append(to)
          .append(". The storage node sends a sample every minute while the engine runs.</p>");
    }
    return out.append("</div>").toString();
  }

  private static String chart(Chart chart, JsonNode points, Instant from, Instant to) {
    double max = 0;
    boolean any = false;
    for (JsonNode p : points) {
      for (Line l : chart.lines()) {
        JsonNode v = p.path(l.field());
        if (v.isNumber()) {
          any = true;
          max = Math.max(max, v.asDouble() * l.scale());
        }
      }
    }
    if (!any) {
      return null;
    }
    double top = max <= 0 ? 1 : max;
    double span = Math.max(1, to.getEpochSecond() - from.getEpochSecond());
    StringBuilder svg = new StringBuilder();
    svg.append("<figure class=\"perf-chart\"><figcaption>").append(chart.title()).append(" <span class=\"muted\">(")
        .append(chart.unit()).append(", max ").append(number(max)).append(")</span></figcaption>")
        .append("<svg role=\"img\" aria-label=\"").append(chart.title()).append("\" viewBox=\"0 0 ")
        .append(WIDTH).append(' ').append(HEIGHT).append("\" width=\"").append(WIDTH).append("\" height=\"")
        .append(HEIGHT).append("\"><rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
        .append("\" fill=\"none\" stroke=\"#d0d7de\"/>");
    List<String> legend = new ArrayList<>();
    for (int i = 0; i < chart.lines().size(); i++) {
      Line l = chart.lines().get(i);
      StringBuilder xy = new StringBuilder();
      for (JsonNode p : points) {
        JsonNode v = p.path(l.field());
        if (!v.isNumber()) {
          continue;
        }
        double x = (Instant.parse(p.path("time").asText()).getEpochSecond() - from.getEpochSecond()) / span * WIDTH;
        double y = HEIGHT - 2 - v.asDouble() * l.scale() / top * (HEIGHT - 4);
        xy.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      if (xy.isEmpty()) {
        continue;
      }
      svg.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(COLOURS[i % COLOURS.length])
          .append("\" data-line=\"").append(l.field()).append("\" points=\"").append(xy.toString().trim()).append("\"/>");
      legend.add("<span class=\"perf-legend-" + i + "\">" + l.label() + "</span>");
    }
    svg.append("</svg><figcaption class=\"muted\">").append(String.join(" · ", legend)).append("</figcaption></figure>");
    return svg.toString();
  }

  private static String number(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
