package io.strata.engine.cli;

import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.iscsi.session.SessionRegistry;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.layout.ArrayLayout;
import io.strata.engine.layout.ArrayLayout.InitiatorAccess;
import io.strata.engine.layout.LayoutService;
import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.scsi.ScsiTarget;
import io.strata.engine.transport.Portal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Who may log in to the engine's target, how they authenticate and which LUNs each sees: from the
 * command line ({@code --chap}, {@code --initiator}, {@code --mutual-chap}) or from the layout
 * file's {@code initiators} and {@code mutualChap}, never both. A layout reload changes it in
 * place: later logins and discovery use the new rules, sessions of initiators no longer admitted
 * are closed, and nexuses whose visible LUNs changed get REPORTED LUNS DATA HAS CHANGED.
 */
final class TargetAccess implements LayoutService.AccessControl {
  private static final Logger LOG = Logger.getLogger(TargetAccess.class.getName());

  /**
   * One set of rules.
   *
   * @param open whether any initiator may log in and see every LUN (the command line naming
   *     nobody); a layout's list, even an empty one, admits only those it names
   * @param admitted the initiators that may log in when not open
   * @param luns per admitted initiator its LUNs (absent: every LUN)
   * @param targetWide how initiators without credentials of their own authenticate
   * @param perInitiator per initiator its own credentials
   */
  record Rules(boolean open, Set<String> admitted, Map<String, Set<Integer>> luns,
      Authentication targetWide, Map<String, Authentication> perInitiator) {

    boolean admits(String initiator) {
      return open || admitted.contains(initiator);
    }

    boolean sees(String initiator, int lun) {
      if (open) {
        return true;
      }
      if (!admitted.contains(initiator)) {
        return false;
      }
      Set<Integer> own = luns.get(initiator);
      return own == null || own.contains(lun);
    }
  }

  private final String iqn;
  private final List<Portal> portals;
  private final ChapCredentials cliChap;
  private final ChapCredentials cliMutualChap;
  private final Map<String, InitiatorSpec> cliInitiators;
  private volatile Rules rules;
  private ScsiTarget scsi;
  private LogicalUnitTarget luns;
  private Targets targets;
  private SessionRegistry sessions;

  /**
   * @param layout the layout the engine starts with, or null without {@code --layout}
   * @throws IllegalArgumentException when the command line and the layout both say who may log in
   */
  TargetAccess(String iqn, List<Portal> portals, ChapCredentials cliChap,
      ChapCredentials cliMutualChap, Map<String, InitiatorSpec> cliInitiators,
      ArrayLayout layout) {
    this.iqn = iqn;
    this.portals = List.copyOf(portals);
    this.cliChap = cliChap;
    this.cliMutualChap = cliMutualChap;
    this.cliInitiators = Map.copyOf(cliInitiators);
    this.rules = rulesFor(layout);
  }

  /** Whether {@code initiator} may see LUN {@code lun} now: the target's LUN masking. */
  boolean sees(String initiator, int lun) {
    return rules.sees(initiator, lun);
  }

  /** The target as the current rules define it, serving {@code scsi}. */
  TargetDefinition definition(ScsiTarget scsi) {
    this.scsi = scsi;
    return definition(rules);
  }

  private TargetDefinition definition(Rules r) {
    return new TargetDefinition(iqn, portals, r.targetWide(), r.admitted(), scsi,
        r.perInitiator(), r.open());
  }

  /** What a reload changes: the target definitions, the SCSI target's UAs, the sessions. */
  void attach(Targets targets, SessionRegistry sessions, LogicalUnitTarget luns) {
    this.targets = targets;
    this.sessions = sessions;
    this.luns = luns;
  }

  @Override
  public void check(ArrayLayout layout) {
    rulesFor(layout);
  }

  @Override
  public synchronized void apply(ArrayLayout layout) {
    Rules before = rules;
    Rules after = rulesFor(layout);
    // Order: new logins first see the new rules, then masks change, then the refused go.
    targets.replace(definition(after));
    rules = after;
    Set<String> told = luns.lunMaskingChanged(before::sees, after::sees);
    int closed = sessions.endSessionsOf(s -> !after.admits(s.initiatorName()));
    LOG.info("access applied: " + (after.open() ? "any initiator"
        : after.admitted().size() + " initiators") + "; LUN visibility changed for " + told
        + "; " + closed + " sessions of initiators no longer admitted closed");
  }

  private boolean cliControlsAccess() {
    return cliChap != null || !cliInitiators.isEmpty();
  }

  /** The rules the command line and {@code layout} make together; refuses a conflict. */
  Rules rulesFor(ArrayLayout layout) {
    boolean layoutControls = layout != null && layout.controlsAccess();
    if (layoutControls && (cliControlsAccess() || cliMutualChap != null)) {
      throw new IllegalArgumentException("the layout's initiators cannot be combined with "
          + "--chap, --initiator or --mutual-chap on the command line");
    }
    if (layout != null && layout.mutualChap() != null && cliMutualChap != null) {
      throw new IllegalArgumentException("mutualChap is both in the layout and given as "
          + "--mutual-chap");
    }
    ChapCredentials mutual = layout != null && layout.mutualChap() != null
        ? layout.mutualChap().credentials() : cliMutualChap;
    if (layoutControls) {
      Map<String, Set<Integer>> lunsOf = new HashMap<>();
      Map<String, Authentication> own = new LinkedHashMap<>();
      for (InitiatorAccess i : layout.initiators()) {
        lunsOf.put(i.iqn(), i.lunSet());
        if (i.chap() != null) {
          own.put(i.iqn(), new Authentication(i.chap().credentials(), mutual));
        }
      }
      return new Rules(false, Set.copyOf(lunsOf.keySet()), Map.copyOf(lunsOf),
          Authentication.NONE, Map.copyOf(own));
    }
    if (cliMutualChap != null && cliChap == null && cliInitiators.isEmpty()) {
      new Authentication(null, cliMutualChap); // refused: mutual CHAP needs one-way CHAP
    }
    // The command line's rules (anyone, every LUN, when it gives none). Without one-way CHAP the
    // layout's mutual secret has no one to answer, so it is not used.
    Authentication targetWide = cliChap == null ? Authentication.NONE
        : new Authentication(cliChap, mutual);
    Map<String, Set<Integer>> lunsOf = new HashMap<>();
    Map<String, Authentication> own = new LinkedHashMap<>();
    for (InitiatorSpec i : cliInitiators.values()) {
      if (i.luns() != null) {
        lunsOf.put(i.iqn(), Set.copyOf(i.luns()));
      }
      if (i.chap() != null) {
        own.put(i.iqn(), new Authentication(i.chap(), mutual));
      }
    }
    return new Rules(cliInitiators.isEmpty(), Set.copyOf(cliInitiators.keySet()),
        Map.copyOf(lunsOf), targetWide, Map.copyOf(own));
  }
}
