package dev.pg2citus.cli;

import dev.pg2citus.testing.TestPostgres;
import java.sql.SQLException;

/** A source of 30 rows and a target table whose column is too short for two of them: a data-only run rejects two. */
record TwoRejectedRows(String source, String target) {
  static TwoRejectedRows create(String prefix) throws SQLException {
    String src = TestPostgres.freshDatabase(prefix + "_src");
    TestPostgres.execute(src, """
        CREATE TABLE items (id integer PRIMARY KEY, code text NOT NULL);
        INSERT INTO items SELECT i, CASE WHEN i IN (4, 9) THEN 'much-too-long' ELSE 'c' || i END
            FROM generate_series(1, 30) i;
        """);
    String dst = TestPostgres.freshDatabase(prefix + "_dst");
    TestPostgres.execute(dst, "CREATE TABLE items (id integer PRIMARY KEY, code varchar(5) NOT NULL)");
    return new TwoRejectedRows(src, dst);
  }
}
