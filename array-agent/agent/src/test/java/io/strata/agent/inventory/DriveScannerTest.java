package io.strata.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.command.ArrayDesiredState.DriveType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriveScannerTest {

  @TempDir Path folder;

  @Test
  void anEmptyNodeGetsSparseDemoDrivesOfBothTypesOnce() throws Exception {
    DriveScanner scanner = new DriveScanner("3", folder.resolve("drives"));
    assertThat(scanner.createDemoDrivesIfEmpty()).isTrue();
    assertThat(scanner.scan()).extracting(Drive::type).containsOnly(DriveType.SSD, DriveType.HDD);
    assertThat(scanner.scan()).extracting(Drive::serial).containsExactly("n3-hdd-0", "n3-hdd-1", "n3-ssd-0", "n3-ssd-1");
    assertThat(scanner.scan()).allSatisfy(d -> assertThat(d.capacityGib()).isGreaterThanOrEqualTo(4));
    assertThat(scanner.createDemoDrivesIfEmpty()).isFalse();
  }

  @Test
  void theFileNameDeclaresTheTypeAndOtherFilesAreIgnored() throws Exception {
    Path drives = Files.createDirectories(folder.resolve("drives"));
    Files.write(drives.resolve("fast.ssd.img"), new byte[4096]);
    Files.write(drives.resolve("notes.txt"), new byte[10]);
    Files.write(drives.resolve("odd.nvme.img"), new byte[10]);
    DriveScanner scanner = new DriveScanner("9", drives);
    assertThat(scanner.scan()).singleElement().satisfies(d -> {
      assertThat(d.serial()).isEqualTo("n9-fast");
      assertThat(d.type()).isEqualTo(DriveType.SSD);
      assertThat(d.capacityBytes()).isEqualTo(4096);
    });
    assertThat(scanner.createDemoDrivesIfEmpty()).isFalse();
  }
}
