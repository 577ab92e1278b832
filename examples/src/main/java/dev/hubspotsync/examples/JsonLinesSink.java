package dev.hubspotsync.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.GdprMode;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.sink.WriteResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small custom {@link WarehouseSink}: one newline-delimited JSON file per object type
 * ({@code contacts.jsonl}, one row per line, ready for {@code bq load} or {@code COPY INTO}), one per
 * association pair ({@code contacts_to_companies.links.jsonl}), the column mapping in
 * {@code _hubspot_sync_columns.json} and the checkpoints in {@code _hubspot_sync_state.json}. It
 * passes the testkit's {@code WarehouseSinkContract} ({@code CustomSinkContractTest}).
 *
 * <p>How it keeps the sink invariants (docs/writing-a-sink.md):
 * <ul>
 *   <li>upsert by id, never older over newer: a write reads the table file, merges the batch into it
 *       by id (a row replaces a stored one only if its {@code _hs_updated_at} is at least the stored
 *       one's) and writes the file again;
 *   <li>the checkpoint never runs ahead of the data: every file is written to a temporary file,
 *       forced to disk and moved over the old one atomically, and a write's checkpoint is saved
 *       only after its rows are. Rows and checkpoint are two files, so this sink has no
 *       transactions ({@link dev.hubspotsync.sink.SupportsTransactions}): a crash between the two
 *       makes the next run write one batch again, which the upsert absorbs;
 *   <li>columns are only added; values are typed JSON: ids and BIGINTs as numbers, decimals as
 *       exact strings ({@code "12.500000000"}), timestamps as ISO-8601 UTC strings with
 *       microseconds, dates as {@code YYYY-MM-DD}.
 * </ul>
 *
 * <p>Every write rewrites its table's file, so keep it to portals of some ten thousand records
 * per type; a real warehouse merges in place. Thread-safe: writes to different object types run in
 * parallel, writes to one type one at a time. Not safe for two processes on one directory.
 */
public class JsonLinesSink implements WarehouseSink {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS_FILE = "_hubspot_sync_columns.json";
  private static final String STATE_FILE = "_hubspot_sync_state.json";

  private final Path directory;
  /** Object type → its file and columns; pair → its file. Guarded by itself; saved on every change. */
  private final ObjectNode catalog;
  /** Stream → checkpoint JSON text. Guarded by itself; saved on every change. */
  private final ObjectNode state;
  private final Map<String, Object> fileLocks = new ConcurrentHashMap<>();
  private volatile boolean closed;

  protected JsonLinesSink(Path directory) {
    this.directory = directory;
    try {
      Files.createDirectories(directory);
      this.catalog = readObject(directory.resolve(COLUMNS_FILE));
      this.state = readObject(directory.resolve(STATE_FILE));
    } catch (IOException e) {
      throw failure("cannot open the sink directory " + directory, e);
    }
    if (!catalog.has("tables")) {
      catalog.putObject("tables");
      catalog.putObject("links");
    }
  }

  /** A sink writing into {@code directory} (created if absent), continuing from what it holds. */
  public static JsonLinesSink open(Path directory) {
    return new JsonLinesSink(directory);
  }

  @Override
  public List<ColumnMapping> describe(String objectType) {
    synchronized (catalog) {
      JsonNode table = catalog.get("tables").get(objectType);
      List<ColumnMapping> columns = new ArrayList<>();
      if (table != null) {
        table.get("columns").forEach(c -> columns.add(new ColumnMapping(c.get("property").asText(),
            c.get("column").asText(), ColumnType.valueOf(c.get("type").asText()))));
      }
      return columns;
    }
  }

  @Override
  public void evolve(String objectType, List<ColumnMapping> columns) {
    checkOpen();
    synchronized (catalog) {
      ObjectNode tables = (ObjectNode) catalog.get("tables");
      ObjectNode table = (ObjectNode) tables.get(objectType);
      boolean changed = table == null;
      if (table == null) {
        String file = freeFileName(objectType, ".jsonl");
        table = tables.putObject(objectType);
        table.put("file", file);
        table.putArray("columns");
      }
      ArrayNode stored = (ArrayNode) table.get("columns");
      Set<String> have = new HashSet<>();
      stored.forEach(c -> have.add(c.get("column").asText()));
      for (ColumnMapping column : columns) {
        if (have.add(column.column())) { // a column already there keeps its type: never retyped
          stored.addObject().put("property", column.property()).put("column", column.column())
              .put("type", column.type().name());
          changed = true;
        } else if (column.type() == ColumnType.DOUBLE) {
          // The one conversion: a legacy DECIMAL column becomes DOUBLE; decode() reads its old text as a double.
          for (JsonNode c : stored) {
            if (c.get("column").asText().equals(column.column()) && c.get("type").asText().equals("DECIMAL")) {
              ((ObjectNode) c).put("type", ColumnType.DOUBLE.name());
              changed = true;
            }
          }
        }
      }
      if (changed) {
        Path file = directory.resolve(table.get("file").asText());
        try {
          if (!Files.exists(file)) {
            replace(file, List.of());
          }
          replace(directory.resolve(COLUMNS_FILE), List.of(JSON.writeValueAsString(catalog)));
        } catch (IOException e) {
          throw failure("cannot store the columns of " + objectType, e);
        }
      }
    }
  }

  @Override
  public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
    checkOpen();
    String type = batch.objectType();
    Path file = tableFile(type).orElseThrow(() -> new WarehouseException("No table for object type '" + type
        + "' in " + directory + ": evolve() creates it before the first write", null, false, null));
    List<ColumnMapping> conversions = SchemaDrift.conversions(describe(type), batch.columns());
    if (!conversions.isEmpty()) {
      evolve(type, conversions);
    }
    Set<String> columns = new HashSet<>();
    SystemColumns.ALL.forEach(c -> columns.add(c.name()));
    describe(type).forEach(m -> columns.add(m.column()));
    for (Column column : batch.columns()) {
      if (!columns.contains(column.name())) {
        throw new WarehouseException("The table of " + type + " has no column '" + column.name()
            + "': evolve() adds it before a batch carries it", null, false, null);
      }
    }
    int written = 0;
    int skipped = 0;
    synchronized (lock(file)) {
      TreeMap<Long, ObjectNode> rows = readRows(file);
      for (int row = 0; row < batch.rowCount(); row++) {
        ObjectNode stored = rows.get(batch.id(row));
        if (stored != null && isOlder(batch.updatedAt(row), instant(stored.get(SystemColumns.UPDATED_AT)))) {
          skipped++;
          continue;
        }
        ObjectNode merged = stored != null ? stored : JsonNodeFactory.instance.objectNode();
        for (int c = 0; c < batch.columns().size(); c++) {
          merged.set(batch.columns().get(c).name(), encode(batch.value(row, c)));
        }
        rows.put(batch.id(row), merged);
        written++;
      }
      writeRows(file, rows.values(), type);
    }
    beforeCheckpoint(checkpoint.stream());
    saveCheckpoint(checkpoint);
    return new WriteResult(written, skipped);
  }

  @Override
  public Optional<Checkpoint> checkpoint(String stream) {
    synchronized (state) {
      JsonNode json = state.get(stream);
      return json == null ? Optional.empty() : Optional.of(new Checkpoint(stream, json.asText()));
    }
  }

  @Override
  public void replaceAssociations(LinkBatch batch, Checkpoint checkpoint) {
    checkOpen();
    Path file = linkFile(batch.pair());
    synchronized (lock(file)) {
      Set<Long> parents = new HashSet<>(batch.parentIds());
      List<ObjectNode> links = new ArrayList<>();
      for (ObjectNode stored : readLines(file)) {
        if (!parents.contains(stored.get("from_id").asLong())) {
          links.add(stored); // parents not in the batch keep their links
        }
      }
      for (LinkRow link : batch.links()) {
        links.add(linkRow(link, batch.syncedAt()));
      }
      writeRows(file, links, batch.pair());
    }
    beforeCheckpoint(checkpoint.stream());
    saveCheckpoint(checkpoint);
  }

  @Override
  public long[] ids(String objectType, boolean archived) {
    Optional<Path> file = tableFile(objectType);
    if (file.isEmpty()) {
      return new long[0];
    }
    synchronized (lock(file.get())) {
      return readRows(file.get()).values().stream()
          .filter(r -> r.path(SystemColumns.ARCHIVED).asBoolean() == archived)
          .mapToLong(r -> r.get(SystemColumns.ID).asLong()).toArray(); // a TreeMap: ascending
    }
  }

  @Override
  public Map<Long, Instant> updatedAt(String objectType, Collection<Long> ids) {
    Map<Long, Instant> dates = new HashMap<>();
    Optional<Path> file = tableFile(objectType);
    if (file.isEmpty()) {
      return dates;
    }
    synchronized (lock(file.get())) {
      TreeMap<Long, ObjectNode> rows = readRows(file.get());
      for (long id : ids) {
        ObjectNode row = rows.get(id);
        Instant updated = row == null || row.path(SystemColumns.ARCHIVED).asBoolean() ? null
            : instant(row.get(SystemColumns.UPDATED_AT));
        if (updated != null) {
          dates.put(id, updated);
        }
      }
    }
    return dates;
  }

  @Override
  public long[] parentsLinkedTo(String fromType, String toType, Collection<Long> toIds) {
    Path file = linkFile(LinkBatch.pair(fromType, toType));
    Set<Long> targets = new HashSet<>(toIds);
    synchronized (lock(file)) {
      return readLinks(file).stream().filter(l -> targets.contains(l.toId()))
          .mapToLong(LinkRow::fromId).distinct().sorted().toArray();
    }
  }

  @Override
  public List<LinkRow> links(String fromType, String toType, Collection<Long> fromIds) {
    Path file = linkFile(LinkBatch.pair(fromType, toType));
    Set<Long> parents = new HashSet<>(fromIds);
    synchronized (lock(file)) {
      return readLinks(file).stream().filter(l -> parents.contains(l.fromId())).toList();
    }
  }

  @Override
  public int markArchived(String objectType, Collection<Long> ids, Instant archivedAt) {
    checkOpen();
    Optional<Path> file = tableFile(objectType);
    if (file.isEmpty() || ids.isEmpty()) {
      return 0;
    }
    synchronized (lock(file.get())) {
      TreeMap<Long, ObjectNode> rows = readRows(file.get());
      int changed = 0;
      for (long id : new HashSet<>(ids)) {
        ObjectNode row = rows.get(id);
        if (row != null && !row.path(SystemColumns.ARCHIVED).asBoolean()) {
          row.put(SystemColumns.ARCHIVED, true).set(SystemColumns.ARCHIVED_AT, encode(archivedAt));
          changed++;
        }
      }
      if (changed > 0) {
        writeRows(file.get(), rows.values(), objectType);
      }
      return changed;
    }
  }

  /**
   * Rewrites the link files of every pair of the type without the records' links, then the table
   * file without their rows ({@link GdprMode#ERASE}) or with their personal data nulled
   * ({@link GdprMode#NULL_OUT}).
   */
  @Override
  public int erase(String objectType, Collection<Long> ids, GdprMode mode, Instant deletedAt) {
    checkOpen();
    Set<Long> erased = new HashSet<>(ids);
    List<String> pairs = new ArrayList<>();
    synchronized (catalog) {
      catalog.get("links").fieldNames().forEachRemaining(pairs::add);
    }
    for (String pair : pairs) {
      boolean from = pair.startsWith(objectType + "_to_");
      boolean to = pair.endsWith("_to_" + objectType);
      if (!from && !to) {
        continue;
      }
      Path file = linkFile(pair);
      synchronized (lock(file)) {
        List<ObjectNode> kept = readLines(file).stream()
            .filter(l -> !(from && erased.contains(l.get("from_id").asLong()) || to && erased.contains(l.get("to_id").asLong())))
            .toList();
        writeRows(file, kept, pair);
      }
    }
    Optional<Path> file = tableFile(objectType);
    if (file.isEmpty() || erased.isEmpty()) {
      return 0;
    }
    List<ColumnMapping> columns = describe(objectType);
    synchronized (lock(file.get())) {
      TreeMap<Long, ObjectNode> rows = readRows(file.get());
      int changed = 0;
      for (long id : erased) {
        ObjectNode row = mode == GdprMode.ERASE ? rows.remove(id) : rows.get(id);
        if (row == null) {
          continue;
        }
        changed++;
        if (mode == GdprMode.NULL_OUT) {
          columns.forEach(c -> row.putNull(c.column()));
          row.putNull(SystemColumns.UNPARSED);
          if (row.path(SystemColumns.ARCHIVED_AT).isNull() || row.path(SystemColumns.ARCHIVED_AT).isMissingNode()) {
            row.set(SystemColumns.ARCHIVED_AT, encode(deletedAt));
          }
          row.put(SystemColumns.ARCHIVED, true).set(SystemColumns.GDPR_DELETED_AT, encode(deletedAt));
        }
      }
      if (changed > 0) {
        writeRows(file.get(), rows.values(), objectType);
      }
      return changed;
    }
  }

  /** JSON keys have no length limit; 255 keeps column names readable and fits most warehouses you may load into. */
  @Override
  public int maxIdentifierBytes() {
    return 255;
  }

  /** Refuses later writes; the files stay as they are. */
  @Override
  public void close() {
    closed = true;
  }

  /**
   * Every row of an object type's file, read from disk, as column → value for every column of the
   * table (null where a row has none): Long, String, Double, BigDecimal, Boolean, LocalDate, Instant.
   */
  public List<Map<String, Object>> rows(String objectType) {
    Optional<Path> file = tableFile(objectType);
    if (file.isEmpty()) {
      return List.of();
    }
    List<Column> columns = new ArrayList<>(SystemColumns.ALL);
    describe(objectType).forEach(m -> columns.add(new Column(m.column(), m.type(), m.property())));
    List<Map<String, Object>> rows = new ArrayList<>();
    synchronized (lock(file.get())) {
      Collection<ObjectNode> storedRows = readRows(file.get()).values();
      if (storedRows.stream().anyMatch(r -> r.has(SystemColumns.GDPR_DELETED_AT))) {
        columns.add(new Column(SystemColumns.GDPR_DELETED_AT, ColumnType.TIMESTAMP, null)); // once a row was nulled out
      }
      for (ObjectNode stored : storedRows) {
        Map<String, Object> row = new LinkedHashMap<>();
        columns.forEach(c -> row.put(c.name(), decode(c.type(), stored.get(c.name()))));
        rows.add(row);
      }
    }
    return rows;
  }

  /** Every link of a pair, read from disk. */
  public List<LinkRow> links(String fromType, String toType) {
    Path file = linkFile(LinkBatch.pair(fromType, toType));
    synchronized (lock(file)) {
      return readLinks(file);
    }
  }

  /**
   * Called after a write's rows (or links) are on disk and before its checkpoint is saved: the
   * worst moment for a crash. Does nothing; a test overrides it to throw, as the contract's crash
   * hook asks.
   */
  protected void beforeCheckpoint(String stream) {}

  // ---------------------------------------------------------------------------------------------

  private static boolean isOlder(Instant incoming, Instant stored) {
    if (incoming == null) {
      return stored != null; // an undated row is older than any dated one
    }
    return stored != null && incoming.isBefore(stored);
  }

  private static JsonNode encode(Object value) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (value == null) {
      return f.nullNode();
    } else if (value instanceof Long) {
      return f.numberNode((Long) value);
    } else if (value instanceof Boolean) {
      return f.booleanNode((Boolean) value);
    } else if (value instanceof Double) {
      return f.numberNode((Double) value);
    } else if (value instanceof BigDecimal) {
      return f.textNode(((BigDecimal) value).toPlainString());
    }
    return f.textNode(value.toString()); // String, LocalDate (YYYY-MM-DD), Instant (ISO-8601, UTC)
  }

  private static Object decode(ColumnType type, JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    switch (type) {
      case BIGINT: return value.asLong();
      case BOOLEAN: return value.asBoolean();
      case DOUBLE: return value.isNumber() ? value.doubleValue() : Double.parseDouble(value.asText());
      case DECIMAL: return new BigDecimal(value.asText());
      case DATE: return LocalDate.parse(value.asText());
      case TIMESTAMP: return Instant.parse(value.asText());
      default: return value.asText();
    }
  }

  private static Instant instant(JsonNode value) {
    return value == null || value.isNull() ? null : Instant.parse(value.asText());
  }

  private static ObjectNode linkRow(LinkRow link, Instant syncedAt) {
    ObjectNode row = JsonNodeFactory.instance.objectNode()
        .put("from_id", link.fromId()).put("to_id", link.toId()).put("association_type_id", link.typeId())
        .put("association_category", link.category()).put("association_label", link.label());
    return row.set("_synced_at", encode(syncedAt));
  }

  private List<LinkRow> readLinks(Path file) {
    List<LinkRow> links = new ArrayList<>();
    for (ObjectNode row : readLines(file)) {
      JsonNode label = row.get("association_label");
      links.add(new LinkRow(row.get("from_id").asLong(), row.get("to_id").asLong(),
          row.get("association_type_id").asInt(), row.get("association_category").asText(),
          label == null || label.isNull() ? null : label.asText()));
    }
    return links;
  }

  private TreeMap<Long, ObjectNode> readRows(Path file) {
    TreeMap<Long, ObjectNode> rows = new TreeMap<>();
    readLines(file).forEach(r -> rows.put(r.get(SystemColumns.ID).asLong(), r));
    return rows;
  }

  private List<ObjectNode> readLines(Path file) {
    List<ObjectNode> rows = new ArrayList<>();
    if (!Files.exists(file)) {
      return rows;
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isEmpty()) {
          rows.add((ObjectNode) JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      throw failure("cannot read " + file, e);
    }
    return rows;
  }

  private void writeRows(Path file, Collection<ObjectNode> rows, String what) {
    List<String> lines = new ArrayList<>(rows.size());
    try {
      for (ObjectNode row : rows) {
        lines.add(JSON.writeValueAsString(row)); // control characters are escaped: one row, one line
      }
      replace(file, lines);
    } catch (IOException e) {
      throw failure("cannot write the rows of " + what + " to " + file, e);
    }
  }

  private void saveCheckpoint(Checkpoint checkpoint) {
    synchronized (state) {
      state.put(checkpoint.stream(), checkpoint.json());
      try {
        replace(directory.resolve(STATE_FILE), List.of(JSON.writeValueAsString(state)));
      } catch (IOException e) {
        throw failure("cannot store the checkpoint of " + checkpoint.stream(), e);
      }
    }
  }

  /** Writes the lines to a temporary file, forces it to disk, and moves it over {@code file} atomically. */
  private static void replace(Path file, List<String> lines) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    try (BufferedWriter out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
      for (String line : lines) {
        out.write(line);
        out.write('\n');
      }
    }
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private Optional<Path> tableFile(String objectType) {
    synchronized (catalog) {
      JsonNode table = catalog.get("tables").get(objectType);
      return table == null ? Optional.empty() : Optional.of(directory.resolve(table.get("file").asText()));
    }
  }

  private Path linkFile(String pair) {
    synchronized (catalog) {
      ObjectNode links = (ObjectNode) catalog.get("links");
      if (!links.has(pair)) {
        links.put(pair, freeFileName(pair, ".links.jsonl"));
        try {
          replace(directory.resolve(COLUMNS_FILE), List.of(JSON.writeValueAsString(catalog)));
        } catch (IOException e) {
          throw failure("cannot store the link table of " + pair, e);
        }
      }
      return directory.resolve(links.get(pair).asText());
    }
  }

  /**
   * A file name for an object type or pair: lower case {@code [a-z0-9_-]}, {@code _2}, {@code _3}, …
   * when taken (also on file systems that ignore case). Chosen once and stored in the catalog.
   */
  private String freeFileName(String name, String suffix) {
    Set<String> taken = new HashSet<>();
    catalog.get("tables").forEach(t -> taken.add(t.get("file").asText()));
    catalog.get("links").forEach(l -> taken.add(l.asText()));
    String base = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "_");
    if (base.isEmpty() || base.startsWith("_hubspot_sync")) {
      base = "_" + base;
    }
    String candidate = base + suffix;
    for (int n = 2; taken.contains(candidate); n++) {
      candidate = base + "_" + n + suffix;
    }
    return candidate;
  }

  private Object lock(Path file) {
    return fileLocks.computeIfAbsent(file.getFileName().toString(), f -> new Object());
  }

  private static ObjectNode readObject(Path file) throws IOException {
    return Files.exists(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JsonNodeFactory.instance.objectNode();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("This JsonLinesSink of " + directory + " is closed");
    }
  }

  private static WarehouseException failure(String what, IOException e) {
    return new WarehouseException("JsonLinesSink: " + what + ": " + e.getMessage(), null, false, e);
  }
}
