package io.strata.agent.supervision;

/**
 * What an engine process is doing, as its supervisor sees it.
 *
 * @param phase where it is in its life
 * @param pid the OS process id while one exists
 * @param restarts crashes the supervisor recovered from
 * @param reason why it is not running, when it is not
 * @param isolation how it is isolated (process, cgroup limits)
 */
public record EngineState(Phase phase, Long pid, int restarts, String reason, String isolation) {

  public enum Phase {
    STARTING,
    RUNNING,
    /** Crashed; waiting out the back-off before the next start. */
    RESTARTING,
    /** Cannot run at all (e.g. no engine in this build); a new desired state may fix it. */
    FAILED,
    STOPPED
  }
}
