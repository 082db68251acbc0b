package dev.pg2citus.write;

import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.read.CopyText;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.route.CitusHash;
import dev.pg2citus.route.ShardMap;
import dev.pg2citus.route.ShardMap.Shard;
import dev.pg2citus.runrecord.ShardLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one partition's rows of a hash-distributed table straight into its shard tables on the
 * workers, bypassing the coordinator: each row's distribution value is hashed as Citus hashes it
 * ({@link CitusHash}) where it lies in the row, its shard found in the {@link ShardMap} read for this
 * attempt, and the row appended to one window of rows. A connection carries one COPY at a time, so when
 * the window is full ({@link #WINDOW_BYTES}, or {@code batchRows}/{@code batchBytes} if smaller) its rows
 * are ordered by shard (a counting sort of their positions, the bytes stay where they are) and go out as
 * one COPY per shard into its shard table, in its worker's transaction. Memory is one window per
 * partition whatever the shard count, and each row is copied once on its way.
 *
 * <p><b>Exactly once across workers.</b> One transaction per (partition, worker) holds that worker's
 * rows and a row of its {@link ShardLedger} naming the hash ranges written, committed together by
 * {@link #commitNodes} before the coordinator marks the partition done. A kill between two workers'
 * commits leaves some workers' parts committed and recorded there; the next attempt (a retry or
 * {@code --resume}) reads every node's ledger first and skips the rows whose hash lies in a range
 * already written, so each part is written once. This was chosen over prepared transactions: nothing is
 * left prepared (holding locks and xmin) after a kill, and no recovery pass is needed; the cost is a
 * ledger query per node per partition.
 *
 * <p><b>Shard moves.</b> Each worker transaction first takes {@code lock_shard_metadata(5, …)} (5 is
 * ShareLock) on the table's shards on that node, as Citus' own COPY does, so a concurrent move or split waits for
 * it; then checks the node still holds them (a move that ended before the lock was taken), else fails
 * with {@link PlacementsChanged}, which is retried with placements read again. The lock needs ownership
 * of the table: without it the transaction goes on unlocked (logged once), and the start of the load
 * refused a running rebalance ({@link ShardWrites#prepare}).
 *
 * <p><b>Bad rows.</b> With {@code on-error: reject} each shard COPY runs under a savepoint; a batch the
 * worker refuses is written again there without its bad rows ({@link RowIsolation}), and those go in
 * the node's ledger row as well as the rejects, so an attempt that skips that node's part still
 * counts them rejected, once.
 */
public final class ShardSink extends RowSink {
  /** Bytes a window holds at most: ~256 KB per COPY with 32 shards, and 4 partitions in flight hold 32 MB. */
  static final int WINDOW_BYTES = 8 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(ShardSink.class);
  private static final AtomicBoolean LOCK_REFUSED = new AtomicBoolean();

  private final NodeConnections nodes;
  private final ShardMap map;
  private final ShardTarget target;
  private final CitusHash.FieldHash hash;
  private final TableCopy table;
  private final ReadPartition partition;
  private final boolean reject;
  private final String runId;
  private final int batchRows;
  private final long batchBytes;
  private final LongConsumer progress;
  private final List<Shard> shards;
  private final boolean[] written;
  private final Map<String, NodeTransaction> transactions = new TreeMap<>();
  private final int[] starts;
  private final int[] ends;
  private final int windowBytes;
  private final int[] perShard;
  private final KeptBatch window = new KeptBatch();
  private int[] rowShards = new int[1024];
  private int[] order = new int[0];
  private long copied;
  private long skipped;
  private long rejectedBefore;
  private long isolationCopies;

  /**
   * Reads every node's ledger for {@code partition}: the rows of shards an earlier attempt wrote are
   * skipped.
   *
   * @param allNodes every node that may hold a ledger row ({@code host:port}), the map's included
   * @param onError {@link OnError#REJECT}: a row a worker refuses is isolated ({@link RowIsolation}) in its
   *     node's transaction and rejected, the rest written
   * @param progress told the rows written so far after each COPY
   */
  public ShardSink(NodeConnections nodes, List<String> allNodes, ShardMap map, ShardTarget target, TableCopy table,
      ReadPartition partition, OnError onError, String runId, int batchRows, long batchBytes, LongConsumer progress)
      throws SQLException {
    this.nodes = nodes;
    this.map = map;
    this.target = target;
    this.hash = CitusHash.forType(target.type()).orElseThrow(
        () -> new IllegalArgumentException(target.type() + " cannot be routed here"));
    this.table = table;
    this.partition = partition;
    this.reject = onError == OnError.REJECT;
    this.runId = runId;
    this.batchRows = batchRows;
    this.batchBytes = batchBytes;
    this.progress = progress;
    this.shards = map.shards();
    this.written = writtenBefore(allNodes);
    this.perShard = new int[shards.size() + 1];
    this.windowBytes = (int) Math.min(WINDOW_BYTES, batchBytes);
    int fieldsNeeded = Math.max(1, target.field() + 1);
    this.starts = new int[fieldsNeeded];
    this.ends = new int[fieldsNeeded];
  }

  /**
   * Which shards an earlier attempt wrote, by every node's ledger; the rows it rejected there are
   * rejected again, as their rows are skipped.
   */
  private boolean[] writtenBefore(List<String> allNodes) throws SQLException {
    List<int[]> ranges = new ArrayList<>();
    for (String node : allNodes) {
      int colon = node.lastIndexOf(':');
      Connection c = transaction(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1))).connection;
      ShardLedger.Written before = ShardLedger.written(c, runId, partition);
      ranges.addAll(before.ranges());
      before.rejects().forEach(r -> rejected(r.row(), r.reason()));
      rejectedBefore += before.rejects().size();
    }
    boolean[] done = new boolean[shards.size()];
    for (int i = 0; i < done.length; i++) {
      Shard s = shards.get(i);
      for (int[] r : ranges) {
        if (r[0] <= s.min() && s.max() <= r[1]) {
          done[i] = true;
        } else if (r[0] <= s.max() && s.min() <= r[1]) {
          throw new SQLException(partition + ": shard " + s.id() + " overlaps a hash range an earlier attempt"
              + " wrote only in part (" + r[0] + ".." + r[1] + "); the shards were merged?");
        }
      }
    }
    if (!ranges.isEmpty()) {
      LOG.info("{}: {} of {} shards written by an earlier attempt, their rows skipped", partition,
          count(done), done.length);
    }
    return done;
  }

  private static int count(boolean[] flags) {
    int n = 0;
    for (boolean f : flags) {
      n += f ? 1 : 0;
    }
    return n;
  }

  @Override
  public void add(byte[] head, int offset, int length, byte[] row) throws SQLException {
    int hash;
    try {
      hash = hashOf(head, offset, length, row);
    } catch (SQLException e) {
      if (!reject) {
        throw e;
      }
      reject(row, e.getMessage()); // a NULL or invalid distribution value: no shard would take it
      return;
    }
    int shard = map.indexFor(hash);
    int size = (head == null ? 0 : length + 1) + row.length;
    counted(size);
    if (written[shard]) {
      skipped++;
      return;
    }
    if (window.size() > 0 && window.start(window.size()) + size > windowBytes) {
      sendWindow(); // before the row that would not fit, so the window holds at most windowBytes
    }
    if (window.size() == rowShards.length) {
      rowShards = Arrays.copyOf(rowShards, rowShards.length * 2);
    }
    rowShards[window.size()] = shard;
    window.add(head, offset, length, row);
    if (window.size() >= batchRows) {
      sendWindow();
    }
  }

  /** The hash of the row's distribution value: the head, or a field of the row. */
  private int hashOf(byte[] head, int offset, int length, byte[] row) throws SQLException {
    byte[] bytes = row;
    int from;
    int to;
    if (head != null && target.field() == 0) {
      bytes = head;
      from = offset;
      to = offset + length;
    } else {
      int field = head != null ? target.field() - 1 : target.field();
      if (CopyText.fieldBounds(row, starts, ends) <= field) {
        throw new SQLException(partition + ": a source row has fewer than " + (field + 1) + " fields");
      }
      from = starts[field];
      to = ends[field];
    }
    if (to - from == 2 && bytes[from] == '\\' && bytes[from + 1] == 'N') {
      throw new SQLException(partition + ": a row's distribution value is NULL, which Citus refuses: "
          + CopyText.text(row), "23502");
    }
    try {
      return hash.hash(bytes, from, to);
    } catch (RuntimeException e) {
      throw new SQLException(partition + ": the distribution value '" + CopyText.text(bytes, from, to)
          + "' is not a valid " + target.type() + " (" + e.getMessage() + ")", "22P02", e);
    }
  }

  /**
   * The window's rows ordered by shard, a COPY per shard, each row written from where it lies. A
   * counting sort: the rows of shard {@code s} are {@code order[perShard[s], perShard[s + 1])}.
   */
  private void sendWindow() throws SQLException {
    int count = window.size();
    if (count == 0) {
      return;
    }
    Arrays.fill(perShard, 0);
    for (int i = 0; i < count; i++) {
      perShard[rowShards[i] + 1]++;
    }
    for (int s = 0; s < shards.size(); s++) {
      perShard[s + 1] += perShard[s];
    }
    if (order.length < count) {
      order = new int[rowShards.length];
    }
    int[] next = Arrays.copyOf(perShard, shards.size());
    for (int i = 0; i < count; i++) {
      order[next[rowShards[i]]++] = i;
    }
    for (int s = 0; s < shards.size(); s++) {
      if (perShard[s + 1] > perShard[s]) {
        send(s, perShard[s], perShard[s + 1]);
      }
    }
    window.clear();
    progress.accept(copied + skipped);
  }

  /** Rows {@code order[from, to)} of the window, all of shard {@code shard}, as one COPY into its shard table. */
  private void send(int shard, int from, int to) throws SQLException {
    Shard s = shards.get(shard);
    NodeTransaction tx = transaction(s.host(), s.port());
    tx.lockAndCheck();
    Savepoint before = reject ? tx.connection.setSavepoint() : null;
    CopyIn in = tx.connection.unwrap(PGConnection.class).getCopyAPI().copyIn(table.copyInSql(s.table()));
    try {
      for (int i = from; i < to; i++) {
        int row = order[i];
        in.writeToCopy(window.bytes(), window.start(row), window.start(row + 1) - window.start(row));
      }
      long n = in.endCopy();
      copied += n;
      tx.rows += n;
      tx.shards.add(s);
      if (before != null) {
        tx.connection.releaseSavepoint(before);
      }
    } catch (SQLException e) {
      RowIsolation.cancel(in, e);
      if (before == null || !RowIsolation.isRowError(e)) {
        throw new SQLException(partition + ": shard " + s.table() + " on " + tx.node + ": " + e.getMessage(),
            e.getSQLState(), e);
      }
      tx.connection.rollback(before);
      isolate(s, tx, kept(from, to), e);
    }
  }

  /** Rows {@code order[from, to)} of the window as a batch that can be written again without some of them. */
  private KeptBatch kept(int from, int to) {
    KeptBatch batch = new KeptBatch();
    for (int i = from; i < to; i++) {
      int row = order[i];
      int start = window.start(row);
      int source = window.sourceStart(row);
      batch.add(source > start ? window.bytes() : null, start, source - start - 1,
          Arrays.copyOfRange(window.bytes(), source, window.start(row + 1)));
    }
    return batch;
  }

  /**
   * Writes a batch a worker refused again without its bad rows, in that node's transaction, as the
   * coordinator path does ({@link RowIsolation}); the rejects go in the node's ledger row too.
   */
  private void isolate(Shard s, NodeTransaction tx, KeptBatch batch, SQLException failure) throws SQLException {
    String relation;
    // As the server names it in "COPY items_102008, line 7": unqualified, unquoted (pg_class hides shards).
    try (PreparedStatement ps = tx.connection.prepareStatement("SELECT p[cardinality(p)] FROM parse_ident(?) p")) {
      ps.setString(1, s.table());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        relation = rs.getString(1);
      }
    }
    RowIsolation isolation = new RowIsolation(tx.connection, table.copyInSql(s.table()), relation, batch, partition,
        (i, e) -> {
          RejectedRow r = new RejectedRow(batch.sourceRow(i), e.getMessage());
          rejected(r.row(), r.reason());
          tx.rejects.add(r);
        });
    isolation.isolate(0, batch.size(), failure);
    copied += isolation.written();
    tx.rows += isolation.written();
    tx.shards.add(s);
    isolationCopies += isolation.copies();
  }

  private NodeTransaction transaction(String host, int port) throws SQLException {
    String node = NodeConnections.name(host, port);
    NodeTransaction tx = transactions.get(node);
    if (tx == null) {
      tx = new NodeTransaction(node, nodes.to(host, port), map.shards().stream()
          .filter(s -> s.host().equals(host) && s.port() == port).map(Shard::id).toArray(Long[]::new));
      transactions.put(node, tx);
    }
    return tx;
  }




  /** Sends the window; returns the rows in the shards, those an earlier attempt wrote included. */
  @Override
  public long flush() throws SQLException {
    sendWindow();
    return copied + skipped - rejectedBefore;
  }

  /**
   * Commits each node's transaction with its ledger row, one node after the other (in name order); the
   * coordinator marks the partition done after this. A failure midway leaves the committed nodes'
   * parts recorded in their ledgers, which the next attempt skips.
   */
  public void commitNodes() throws SQLException {
    for (NodeTransaction tx : transactions.values()) {
      if (!tx.shards.isEmpty()) {
        Integer[] mins = tx.shards.stream().map(Shard::min).toArray(Integer[]::new);
        Integer[] maxs = tx.shards.stream().map(Shard::max).toArray(Integer[]::new);
        ShardLedger.record(tx.connection, runId, partition, tx.node, mins, maxs, tx.rows, tx.rejects);
      }
      tx.connection.commit();
    }
  }

  /** Rows written by this attempt, and rows skipped as written (or rejected) by an earlier one. */
  public String describe() {
    return copied + " rows into " + transactions.values().stream().mapToInt(t -> t.shards.size()).sum() + " shards on " + transactions.values().stream().filter(t -> !t.shards.isEmpty()).count()
        + " workers" + (skipped == 0 ? "" : ", " + skipped + " skipped as written by an earlier attempt");
  }


  /** Rolls back every node's transaction (no COPY is ever left open between rows). */
  @Override
  public void abort() throws SQLException {
    nodes.rollback();
  }

  @Override
  public long isolationCopies() {
    return isolationCopies;
  }

  /** One node's transaction for this partition: its lock, the shards written and the rows. */
  private final class NodeTransaction {
    private final String node;
    private final Connection connection;
    private final Long[] shardIds;
    private final Set<Shard> shards = new LinkedHashSet<>();
    private final List<RejectedRow> rejects = new ArrayList<>();
    private boolean locked;
    private long rows;

    NodeTransaction(String node, Connection connection, Long[] shardIds) {
      this.node = node;
      this.connection = connection;
      this.shardIds = shardIds;
    }

    /**
     * Before the first COPY: the shards' metadata lock, so a move waits for this transaction, and the
     * check that this node still holds the shards (a move may have ended before the lock was granted).
     */
    void lockAndCheck() throws SQLException {
      if (locked) {
        return;
      }
      Savepoint before = connection.setSavepoint();
      try (PreparedStatement ps = connection.prepareStatement("SELECT lock_shard_metadata(5, ?)")) {
        ps.setArray(1, connection.createArrayOf("int8", shardIds));
        ps.execute();
        connection.releaseSavepoint(before);
      } catch (SQLException e) {
        if (!"42501".equals(e.getSQLState())) {
          throw e;
        }
        connection.rollback(before);
        if (LOCK_REFUSED.compareAndSet(false, true)) {
          LOG.warn("lock_shard_metadata refused ({}): shard writes go on without the shard metadata lock; do not"
              + " move or split shards during the load", e.getMessage());
        }
      }
      try (PreparedStatement ps = connection.prepareStatement("SELECT count(*) FROM pg_dist_placement"
          + " WHERE shardid = ANY (?) AND groupid = (SELECT groupid FROM pg_dist_local_group)")) {
        ps.setArray(1, connection.createArrayOf("int8", shardIds));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) != shardIds.length) {
            throw new PlacementsChanged(partition + ": the shards of " + target.distributed() + " on " + node
                + " moved since their placements were read");
          }
        }
      }
      locked = true;
    }
  }
}
