package io.strata.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrinterTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static String print(String json, Format format, List<String> columns) throws Exception {
    StringWriter s = new StringWriter();
    Printer.print(JSON.readTree(json), format, columns, new PrintWriter(s));
    return s.toString();
  }

  @Test
  void aPageIsATableWithIdNameStateFirstAndMissingValuesAsDash() throws Exception {
    String out = print("{\"items\":[{\"sizeGib\":10,\"state\":\"AVAILABLE\",\"name\":\"data\",\"id\":\"v1\",\"qos\":{\"iops\":5}},"
        + "{\"sizeGib\":200,\"state\":\"CREATING\",\"name\":\"logs\",\"id\":\"v2\",\"poolId\":null}],\"nextCursor\":null}", Format.TABLE, List.of());
    assertThat(out.lines().toList()).containsExactly(
        "ID  NAME  STATE      SIZE_GIB  POOL_ID",
        "v1  data  AVAILABLE  10        -",
        "v2  logs  CREATING   200       -");
  }

  @Test
  void columnsChooseNestedFieldsByDottedPath() throws Exception {
    String out = print("[{\"id\":\"v1\",\"qos\":{\"iops\":5}}]", Format.TABLE, List.of("id", "qos.iops"));
    assertThat(out.lines().toList()).containsExactly("ID  QOS_IOPS", "v1  5");
  }

  @Test
  void oneObjectIsAFieldValueListingWithDottedPaths() throws Exception {
    String out = print("{\"id\":\"t1\",\"connection\":{\"portals\":[\"127.0.0.1:3261\",\"127.0.0.2:3261\"],\"lun\":0},\"drives\":[{\"id\":\"d1\"}]}",
        Format.TABLE, List.of());
    assertThat(out.lines().toList()).containsExactly(
        "FIELD               VALUE",
        "id                  t1",
        "connection.portals  127.0.0.1:3261,127.0.0.2:3261",
        "connection.lun      0",
        "drives[0].id        d1");
  }

  @Test
  void anEmptyListSaysNoneAndCellsStayOnOneShortLine() throws Exception {
    assertThat(print("{\"items\":[]}", Format.TABLE, List.of())).isEqualTo("(none)\n");
    String out = print("[{\"id\":\"x\",\"detail\":\"line one\\nline two " + "y".repeat(100) + "\"}]", Format.TABLE, List.of());
    String row = out.lines().toList().get(1);
    assertThat(row).startsWith("x   line one line two").endsWith("…");
    assertThat(row.length()).isLessThan(70);
  }

  @Test
  void jsonAndYamlKeepTheApiDocument() throws Exception {
    String doc = "{\"id\":\"a1\",\"drives\":[1,2],\"ha\":true}";
    JsonNode back = JSON.readTree(print(doc, Format.JSON, List.of()));
    assertThat(back).isEqualTo(JSON.readTree(doc));
    assertThat(print(doc, Format.YAML, List.of())).isEqualTo("id: a1\ndrives:\n- 1\n- 2\nha: true\n");
  }
}
