package io.strata.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.strata.cli.CliException;
import io.strata.cli.ExitCode;
import io.strata.cli.Session;
import io.strata.cli.config.Profiles;
import io.strata.cli.http.ApiClient;
import io.strata.cli.http.Http;
import io.strata.cli.output.Format;
import io.strata.cli.output.Printer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The API's commands, built from {@link Endpoints}: one picocli command per endpoint, grouped by
 * the words of its command ({@code strata admin nodes drain ID}). Every command has {@code -o},
 * {@code --columns} and {@code --profile}; lists have an option per query parameter; changes
 * have {@code --wait}; POSTs an Idempotency-Key (a fresh one, or {@code --idempotency-key}).
 */
public final class ApiCommands {
  private static final Pattern VARIABLE = Pattern.compile("\\{([a-zA-Z]+)[^}]*}");

  private ApiCommands() {}

  public static void addAll(CommandLine root, Session session) {
    for (Endpoint endpoint : Endpoints.all()) {
      CommandLine parent = root;
      List<String> words = endpoint.command();
      for (String group : words.subList(0, words.size() - 1)) {
        CommandLine existing = parent.getSubcommands().get(group);
        if (existing == null) {
          existing = new CommandLine(groupSpec(group));
          parent.addSubcommand(group, existing);
        }
        parent = existing;
      }
      EndpointCommand command = new EndpointCommand(endpoint, session);
      CommandSpec spec = command.spec();
      parent.addSubcommand(words.get(words.size() - 1), new CommandLine(spec));
    }
  }

  private static CommandSpec groupSpec(String name) {
    CommandSpec[] self = new CommandSpec[1];
    Runnable missing = () -> {
      throw new CommandLine.ParameterException(self[0].commandLine(), "Missing required subcommand");
    };
    self[0] = CommandSpec.wrapWithoutInspection(missing);
    self[0].name(name).mixinStandardHelpOptions(true);
    self[0].usageMessage().description(name + " commands (strata " + name + " --help lists them)");
    return self[0];
  }

  /** Runs one endpoint from its parsed command line. */
  static final class EndpointCommand implements Callable<Integer> {
    private final Endpoint endpoint;
    private final Session session;
    private final CommandSpec spec;
    private final List<PositionalParamSpec> pathParams = new ArrayList<>();
    private PositionalParamSpec fields;
    private final Map<String, OptionSpec> queryOptions = new LinkedHashMap<>();
    private final OptionSpec output;
    private final OptionSpec columns;
    private final OptionSpec profile;
    private OptionSpec file;
    private OptionSpec wait;
    private OptionSpec timeout;
    private OptionSpec idempotencyKey;
    private OptionSpec ifMatch;

    EndpointCommand(Endpoint endpoint, Session session) {
      this.endpoint = endpoint;
      this.session = session;
      this.spec = CommandSpec.wrapWithoutInspection(this);
      spec.name(endpoint.command().get(endpoint.command().size() - 1)).mixinStandardHelpOptions(true);
      spec.usageMessage().description(endpoint.description(), "", "API: " + endpoint.method() + " "
          + endpoint.path() + (endpoint.service() == Endpoint.Service.BILLING ? " (billing)" : ""));
      int index = 0;
      for (String variable : endpoint.pathVariables()) {
        PositionalParamSpec p = PositionalParamSpec.builder().index(String.valueOf(index++))
            .paramLabel(Endpoint.label(variable)).type(String.class).required(true)
            .description("the " + variable + " in the path").build();
        spec.addPositional(p);
        pathParams.add(p);
      }
      if (endpoint.body() != Endpoint.Body.NONE) {
        fields = PositionalParamSpec.builder().index(index + "..*").arity("0..*").paramLabel("FIELD=VALUE")
            .type(List.class).auxiliaryTypes(String.class)
            .description("body fields: FIELD=VALUE (numbers, true, false, null are JSON values), FIELD:=JSON, a.b=VALUE for nested fields")
            .build();
        spec.addPositional(fields);
        file = option(new String[] {"-f", "--file"}, String.class, "FILE", "the request body from a JSON file ('-': standard input); FIELD=VALUE arguments override its fields");
      }
      for (String q : endpoint.query()) {
        queryOptions.put(q, option(new String[] {"--" + kebab(q)}, String.class, Endpoint.label(q),
            endpoint.paged() && (q.equals("cursor") || q.equals("limit"))
                ? "query parameter " + q + " (given: one page as the API answers it; else every page)"
                : "query parameter " + q));
      }
      if (endpoint.mutating() && endpoint.service() == Endpoint.Service.CONTROL_PLANE || isOperationGet()) {
        wait = option(new String[] {"--wait"}, boolean.class, null, "follow the operation to its outcome (progress on a terminal); exit 7 if it FAILED");
        timeout = spec.addOption(OptionSpec.builder("--timeout").type(Duration.class).paramLabel("DURATION")
            .defaultValue("10m").converters(Durations::parse)
            .description("how long --wait waits (90s, 10m, 1h or ISO-8601; default ${DEFAULT-VALUE})").build()).findOption("--timeout");
      }
      if (endpoint.method().equals("POST")) {
        idempotencyKey = option(new String[] {"--idempotency-key"}, String.class, "KEY",
            "the Idempotency-Key to send (default: a new random one); the same key again gets the first answer");
      }
      if (endpoint.ifMatch()) {
        ifMatch = option(new String[] {"--if-match"}, String.class, "ETAG",
            "the ETag of the object as you read it (default: read just before)");
      }
      output = spec.addOption(OptionSpec.builder("-o", "--output").type(Format.class).paramLabel("FORMAT")
          .defaultValue("table").description("table (default), json or yaml").build()).findOption("--output");
      columns = option(new String[] {"--columns"}, String.class, "A,B", "table columns (dotted paths for nested fields)");
      profile = option(new String[] {"--profile"}, String.class, "NAME", "the profile (default: STRATA_PROFILE, else the current one)");
    }

    /** {@code targetId} → {@code target-id}: the option of a query parameter. */
    static String kebab(String name) {
      return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private boolean isOperationGet() {
      return endpoint.commandLine().equals("operations get");
    }

    private OptionSpec option(String[] names, Class<?> type, String label, String description) {
      OptionSpec.Builder b = OptionSpec.builder(names).type(type).description(description);
      if (label != null) {
        b.paramLabel(label);
      }
      OptionSpec o = b.build();
      spec.addOption(o);
      return o;
    }

    CommandSpec spec() {
      return spec;
    }

    @Override
    public Integer call() {
      Profiles profiles = session.profiles(profile.getValue());
      ApiClient api = session.api(profiles);
      String path = path();
      Map<String, String> query = new LinkedHashMap<>();
      queryOptions.forEach((name, option) -> {
        String v = option.getValue();
        if (v != null) {
          query.put(name, v);
        }
      });
      Format format = output.getValue();
      List<String> cols = columns.getValue() == null ? List.of() : List.of(((String) columns.getValue()).split(","));
      boolean waiting = wait != null && Boolean.TRUE.equals(wait.getValue());
      Waiter waiter = waiting ? new Waiter(api, session.env, session.clock, session.pollInterval) : null;

      if (isOperationGet() && waiting) {
        Printer.print(waiter.awaitOperation(path, timeout.getValue()), format, cols, session.env.out);
        return ExitCode.OK.code;
      }
      if (endpoint.paged() && !query.containsKey("cursor") && !query.containsKey("limit")) {
        Printer.print(allPages(api, path, query), format, cols, session.env.out);
        return ExitCode.OK.code;
      }
      Map<String, String> headers = new LinkedHashMap<>();
      if (idempotencyKey != null) {
        String key = idempotencyKey.getValue();
        headers.put("Idempotency-Key", key != null ? key : UUID.randomUUID().toString());
      }
      if (ifMatch != null) {
        String etag = ifMatch.getValue() != null ? ifMatch.getValue() : currentETag(api, path);
        if (etag != null) {
          headers.put("If-Match", etag);
        }
      }
      Http.Reply reply = api.call(new ApiClient.Request(endpoint.service(), endpoint.method(), path, query, body(), headers));
      String contentType = reply.header("Content-Type");
      if (contentType != null && !contentType.contains("json")) {
        session.env.out.print(reply.text());
        session.env.out.flush();
        return ExitCode.OK.code;
      }
      JsonNode result = waiting ? waiter.await(reply, timeout.getValue()) : reply.json();
      Printer.print(result, format, cols, session.env.out);
      String operation = reply.header("Operation-Location");
      if (!waiting && operation != null && format == Format.TABLE) {
        session.env.err.println("accepted; follow it with: strata operations get "
            + operation.substring(operation.lastIndexOf('/') + 1) + " --wait");
        session.env.err.flush();
      }
      return ExitCode.OK.code;
    }

    private String path() {
      Matcher m = VARIABLE.matcher(endpoint.path());
      StringBuilder b = new StringBuilder();
      int i = 0;
      while (m.find()) {
        String value = pathParams.get(i++).getValue();
        m.appendReplacement(b, Matcher.quoteReplacement(Http.enc(value).replace("+", "%20")));
      }
      m.appendTail(b);
      return b.toString();
    }

    private JsonNode body() {
      if (fields == null) {
        return null;
      }
      List<String> args = fields.getValue() == null ? List.of() : fields.getValue();
      String from = file.getValue();
      if (from == null && args.isEmpty()) {
        if (endpoint.body() == Endpoint.Body.REQUIRED) {
          throw new CliException(ExitCode.USAGE, "strata " + endpoint.commandLine()
              + " needs a body: FIELD=VALUE arguments or -f FILE (see --help)");
        }
        return null;
      }
      JsonNode base = null;
      if (from != null) {
        try {
          String text = from.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(from));
          base = Http.JSON.readTree(text);
        } catch (IOException e) {
          throw new CliException(ExitCode.USAGE, "cannot read the body from " + from + ": " + e.getMessage());
        }
      }
      return BodyFields.parse(base, args);
    }

    /** The ETag of GET on the same path: If-Match for a change the user made from what is there now. */
    private String currentETag(ApiClient api, String path) {
      Http.Reply r = api.call(new ApiClient.Request(endpoint.service(), "GET", path, Map.of(), null, Map.of()));
      return r.header("ETag");
    }

    /** Every page of a list, its items as one JSON array. */
    private JsonNode allPages(ApiClient api, String path, Map<String, String> query) {
      ArrayNode all = JsonNodeFactory.instance.arrayNode();
      String cursor = null;
      do {
        Map<String, String> q = new LinkedHashMap<>(query);
        if (cursor != null) {
          q.put("cursor", cursor);
        }
        JsonNode page = api.call(new ApiClient.Request(endpoint.service(), "GET", path, q, null, Map.of())).json();
        page.path("items").forEach(all::add);
        cursor = page.path("nextCursor").asText(null);
      } while (cursor != null && !cursor.isEmpty());
      return all;
    }
  }
}
