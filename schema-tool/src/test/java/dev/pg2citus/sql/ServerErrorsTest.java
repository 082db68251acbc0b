package dev.pg2citus.sql;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The remedies for the errors a test server cannot easily be made to give (a full disk needs a
 * size-limited file system); the others are shown on real servers by FaultsTest.
 */
class ServerErrorsTest {
  @Test
  void aFullDiskOrQuotaSaysToFreeOrRaiseIt() {
    String remedy = ServerErrors.remedy("53100", "target db1:5432/app");
    assertTrue(remedy.contains("the target db1:5432/app is out of a resource (disk space, a quota"), remedy);
  }

  @Test
  void aStatementTimeoutNamesTheSettingOfItsSide() {
    assertTrue(ServerErrors.remedy("57014", "source db0:5432/app").contains("source.properties"));
    assertTrue(ServerErrors.remedy("57014", "target db1:5432/app").contains("target.settings"));
  }

  @Test
  void anErrorWithoutAKnownRemedyHasNone() {
    assertNull(ServerErrors.remedy("XX000", "target db1:5432/app"));
    assertNull(ServerErrors.remedy(null, "target db1:5432/app"));
  }
}
