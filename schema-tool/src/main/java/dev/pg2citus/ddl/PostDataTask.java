package dev.pg2citus.ddl;

import dev.pg2citus.catalog.TableName;
import java.util.Set;

/**
 * One post-data statement and what it waits for.
 *
 * @param statement the statement
 * @param tables every table it reads or locks: the tables it names and their partitions. It starts
 *     once none of them still waits for rows, and never beside another statement on one of them
 *     (several index builds on a table excepted), so statements never wait for each other's locks
 * @param after the statements that must have finished first, such as the keys a foreign key
 *     references or the indexes ANALYZE samples expressions for
 */
public record PostDataTask(DdlStatement statement, Set<TableName> tables, Set<DdlStatement> after) {
  public PostDataTask {
    tables = Set.copyOf(tables);
    after = Set.copyOf(after);
  }

  /** CREATE INDEX takes a SHARE lock, which other index builds on the same table do not wait for. */
  boolean sharesTables() {
    return statement.step() == Step.INDEX;
  }
}
