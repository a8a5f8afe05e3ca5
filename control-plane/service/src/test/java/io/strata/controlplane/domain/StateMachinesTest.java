package io.strata.controlplane.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every pair (from, to) of every lifecycle is checked against the table written out here by
 * hand: a transition is allowed exactly when it appears below. Adding a transition to the code
 * without adding it here (or the reverse) fails.
 */
class StateMachinesTest {

  private static final String ARRAY =
      """
      REQUESTED    -> PLACING FAILED
      PLACING      -> PROVISIONING FAILED
      PROVISIONING -> ONLINE DEGRADED DELETING FAILED
      ONLINE       -> DEGRADED RESIZING HIBERNATING DELETING FAILED
      DEGRADED     -> ONLINE RESIZING HIBERNATING DELETING FAILED
      RESIZING     -> ONLINE DEGRADED FAILED
      HIBERNATING  -> HIBERNATED FAILED
      HIBERNATED   -> RESUMING DELETING FAILED
      RESUMING     -> ONLINE DEGRADED FAILED
      DELETING     -> DELETED FAILED
      DELETED      ->
      FAILED       -> PLACING PROVISIONING ONLINE DEGRADED RESIZING HIBERNATING HIBERNATED RESUMING DELETING
      """;

  private static final String VOLUME =
      """
      CREATING     -> AVAILABLE MOVING DELETING FAILED
      AVAILABLE    -> RESIZING ROLLING_BACK RECYCLED MOVING DELETING FAILED
      RESIZING     -> AVAILABLE FAILED
      ROLLING_BACK -> AVAILABLE FAILED
      MOVING       -> AVAILABLE FAILED
      RECYCLED     -> AVAILABLE DELETING FAILED
      DELETING     -> DELETED FAILED
      DELETED   ->
      FAILED       -> AVAILABLE CREATING MOVING DELETING
      """;

  private static final String SNAPSHOT =
      """
      CREATING  -> AVAILABLE DELETING FAILED
      AVAILABLE -> DELETING FAILED
      DELETING  -> DELETED FAILED
      DELETED   ->
      FAILED    -> AVAILABLE CREATING DELETING
      """;

  private static final String ATTACHMENT =
      """
      ATTACHING -> ATTACHED DETACHING FAILED
      ATTACHED  -> DETACHING FAILED
      DETACHING -> DETACHED FAILED
      DETACHED  ->
      FAILED    -> ATTACHED ATTACHING DETACHING
      """;

  private static final String NODE =
      """
      ENROLLING      -> ONLINE OFFLINE DECOMMISSIONED
      ONLINE         -> OFFLINE MAINTENANCE
      OFFLINE        -> ONLINE MAINTENANCE DECOMMISSIONED
      MAINTENANCE    -> ONLINE OFFLINE DECOMMISSIONED
      DECOMMISSIONED ->
      """;

  static Stream<Arguments> everyPair() {
    List<Arguments> all = new ArrayList<>();
    addPairs(all, ArrayState.MACHINE, ArrayState.class, ARRAY);
    addPairs(all, VolumeState.MACHINE, VolumeState.class, VOLUME);
    addPairs(all, SnapshotState.MACHINE, SnapshotState.class, SNAPSHOT);
    addPairs(all, AttachmentState.MACHINE, AttachmentState.class, ATTACHMENT);
    addPairs(all, NodeState.MACHINE, NodeState.class, NODE);
    return all.stream();
  }

  private static <S extends Enum<S>> void addPairs(
      List<Arguments> out, StateMachine<S> machine, Class<S> states, String table) {
    Set<String> expected = parse(table, states);
    for (S from : states.getEnumConstants()) {
      for (S to : states.getEnumConstants()) {
        out.add(
            Arguments.of(
                machine.objectKind() + " " + from + " -> " + to,
                machine,
                from,
                to,
                expected.contains(from + "->" + to)));
      }
    }
  }

  private static <S extends Enum<S>> Set<String> parse(String table, Class<S> states) {
    Set<String> pairs = new HashSet<>();
    Set<String> listedFrom = new HashSet<>();
    for (String line : table.strip().split("\n")) {
      String[] sides = line.split("->", -1);
      String from = sides[0].trim();
      Enum.valueOf(states, from); // the table names only real states
      listedFrom.add(from);
      for (String to : sides[1].trim().split("\\s+")) {
        if (!to.isEmpty()) {
          Enum.valueOf(states, to);
          pairs.add(from + "->" + to);
        }
      }
    }
    // the table must list every state, so a new state cannot slip in untested
    assertThat(listedFrom)
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(states.getEnumConstants()).map(Enum::name).toList());
    return pairs;
  }

  @ParameterizedTest(name = "{0}: allowed={4}")
  @MethodSource("everyPair")
  <S extends Enum<S>> void transitionIsAllowedExactlyWhenTheTableSaysSo(
      String name, StateMachine<S> machine, S from, S to, boolean allowed) {
    assertThat(machine.allows(from, to)).isEqualTo(allowed);
    if (allowed) {
      assertThat(machine.require(from, to, "test")).isEqualTo(to);
    } else {
      assertThatThrownBy(() -> machine.require(from, to, "because of the test"))
          .isInstanceOf(IllegalTransitionException.class)
          .hasMessageContaining(from.name())
          .hasMessageContaining(to.name())
          .hasMessageContaining("because of the test");
    }
  }

  @org.junit.jupiter.api.Test
  void terminalStatesHaveNoWayOut() {
    assertThat(ArrayState.MACHINE.isTerminal(ArrayState.DELETED)).isTrue();
    assertThat(VolumeState.MACHINE.isTerminal(VolumeState.DELETED)).isTrue();
    assertThat(SnapshotState.MACHINE.isTerminal(SnapshotState.DELETED)).isTrue();
    assertThat(AttachmentState.MACHINE.isTerminal(AttachmentState.DETACHED)).isTrue();
    assertThat(NodeState.MACHINE.isTerminal(NodeState.DECOMMISSIONED)).isTrue();
    assertThat(ArrayState.MACHINE.isTerminal(ArrayState.FAILED)).isFalse();
  }

  @org.junit.jupiter.api.Test
  void entitiesMoveOnlyThroughTheirMachine() {
    Volume volume = new Volume();
    volume.state = VolumeState.CREATING;
    volume.moveTo(VolumeState.AVAILABLE, "agent reported it");
    assertThat(volume.state).isEqualTo(VolumeState.AVAILABLE);
    assertThat(volume.updatedAt).isNotNull();
    volume.moveTo(VolumeState.DELETING, "user asked");
    assertThatThrownBy(() -> volume.moveTo(VolumeState.RESIZING, "resize a deleting volume"))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessage("volume cannot go from DELETING to RESIZING: resize a deleting volume");
    assertThat(volume.state).isEqualTo(VolumeState.DELETING);
  }

  /**
   * Issue 16: FAILED is not a dead end. Every kind that can fail goes back to its normal state
   * (reported by the node) and to its in-progress state (a retry), and an object remembers what
   * it failed from, while FAILED only, so a failed removal is finished rather than undone.
   */
  @org.junit.jupiter.api.Test
  void aFailedObjectCanReturnToItsNormalStateOrBeRetriedAndRemembersWhatItFailedFrom() {
    assertThat(ArrayState.MACHINE.next(ArrayState.FAILED)).contains(ArrayState.ONLINE, ArrayState.PROVISIONING);
    assertThat(VolumeState.MACHINE.next(VolumeState.FAILED)).contains(VolumeState.AVAILABLE, VolumeState.CREATING);
    assertThat(SnapshotState.MACHINE.next(SnapshotState.FAILED)).contains(SnapshotState.AVAILABLE, SnapshotState.CREATING);
    assertThat(AttachmentState.MACHINE.next(AttachmentState.FAILED))
        .contains(AttachmentState.ATTACHED, AttachmentState.ATTACHING);

    Attachment at = new Attachment();
    at.state = AttachmentState.ATTACHED;
    at.moveTo(AttachmentState.FAILED, "the pool could not open");
    assertThat(at.failedFrom).isEqualTo("ATTACHED");
    assertThat(at.holdsLun()).as("it keeps its LUN, to be exported again").isTrue();
    at.moveTo(AttachmentState.ATTACHED, "the node exports it again");
    assertThat(at.failedFrom).isNull();
    at.moveTo(AttachmentState.DETACHING, "detach");
    at.moveTo(AttachmentState.FAILED, "no answer");
    assertThat(at.failedWhileRemoved()).isTrue();
    assertThat(at.holdsLun()).isFalse();
  }

  @org.junit.jupiter.api.Test
  void deletedIsReachedOnlyFromDeletingInEveryLifecycle() {
    for (ArrayState s : ArrayState.values()) {
      assertThat(ArrayState.MACHINE.allows(s, ArrayState.DELETED)).isEqualTo(s == ArrayState.DELETING);
    }
    for (VolumeState s : VolumeState.values()) {
      assertThat(VolumeState.MACHINE.allows(s, VolumeState.DELETED)).isEqualTo(s == VolumeState.DELETING);
    }
    for (SnapshotState s : SnapshotState.values()) {
      assertThat(SnapshotState.MACHINE.allows(s, SnapshotState.DELETED))
          .isEqualTo(s == SnapshotState.DELETING);
    }
  }
}
