package io.strata.cli;

import io.strata.cli.api.ApiCommands;
import io.strata.cli.commands.AttachCommand;
import io.strata.cli.commands.LoginCommand;
import io.strata.cli.commands.LogoutCommand;
import io.strata.cli.commands.ProfilesCommand;
import io.strata.cli.commands.WhoamiCommand;
import java.lang.reflect.Constructor;
import java.time.Clock;
import java.time.Duration;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code strata}: the command line of Strata's control plane and billing APIs (docs/cli.md). */
@Command(name = "strata", mixinStandardHelpOptions = true, version = "strata 0.1.0",
    description = {"Strata storage from the command line: sign in with `strata login`, then arrays, pools, volumes, ...",
        "Every command takes -o table|json|yaml and --profile; changes take --wait."},
    subcommands = {LoginCommand.class, LogoutCommand.class, WhoamiCommand.class, ProfilesCommand.class,
        AttachCommand.class, AutoComplete.GenerateCompletion.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:the API refused the request as invalid (400, 413, 414, 422)",
        "2:usage error (unknown command or option, missing argument)",
        "3:not signed in, session ended, or not allowed (401, 403)",
        "4:not found (404)",
        "5:conflict (409, 412, 428)",
        "6:server error (5xx) or network failure",
        "7:--wait: the operation FAILED",
        "8:--wait: the operation did not end within --timeout"})
public class Strata implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  public static void main(String[] args) {
    System.exit(run(Environment.ofProcess(), args));
  }

  /** Runs one command line; returns the exit status. */
  public static int run(Environment env, String... args) {
    return commandLine(new Session(env, Clock.systemUTC(), Duration.ofSeconds(1))).execute(args);
  }

  public static CommandLine commandLine(Session session) {
    CommandLine cl = new CommandLine(new Strata(), factory(session));
    ApiCommands.addAll(cl, session);
    cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(session.env.out);
    cl.setErr(session.env.err);
    cl.setExecutionExceptionHandler((e, line, parseResult) -> {
      if (e instanceof CliException c) {
        line.getErr().println("strata: " + c.getMessage());
        line.getErr().flush();
        return c.exitCode.code;
      }
      line.getErr().println("strata: internal error: " + e);
      line.getErr().flush();
      return 70;
    });
    return cl;
  }

  /** Commands that take the Session in their constructor get this run's. */
  private static CommandLine.IFactory factory(Session session) {
    CommandLine.IFactory fallback = CommandLine.defaultFactory();
    return new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        for (Constructor<?> c : cls.getDeclaredConstructors()) {
          if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Session.class) {
            return cls.cast(c.newInstance(session));
          }
        }
        return fallback.create(cls);
      }
    };
  }
}
