package dev.hubspotsync.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.batch.internal.ValueParser;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Rows of one object type on their way to a {@link dev.hubspotsync.sink.WarehouseSink}: the
 * {@link SystemColumns system columns}, then one typed column per mapped property, held in Apache
 * Arrow vectors. At most one row per record id (DESIGN.md invariant 1).
 *
 * <p>HubSpot's string values are parsed by each column's stored {@link ColumnType} (not by the
 * property's current HubSpot type, so a retyped property keeps loading). A value that does not
 * parse is never dropped: its column is null and the row's {@link SystemColumns#UNPARSED} column
 * holds a JSON object of property → raw text. Timestamps are UTC instants truncated to
 * microseconds; numbers are doubles (legacy decimals have precision 38 and scale 9, and
 * {@link #value} returns them with scale 9).
 *
 * <p>Lifecycle: built by a {@link Builder} from a {@link BatchAllocator}, it owns Arrow memory
 * until {@link #close()}; every accessor throws {@link IllegalStateException} after that. Close
 * every batch before its allocator. Not thread-safe; hand a batch from one thread to another
 * through a safe publication (e.g. a blocking queue) and use it from one thread at a time.
 */
public final class RecordBatch implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TIMEZONE = "UTC";

  private final String objectType;
  private final List<Column> columns;
  private final Map<String, Integer> columnIndex;
  private final BufferAllocator memory;
  private final VectorSchemaRoot root;
  private final int unparsedCount;
  private boolean closed;

  private RecordBatch(String objectType, List<Column> columns, Map<String, Integer> columnIndex,
      BufferAllocator memory, VectorSchemaRoot root, int unparsedCount) {
    this.objectType = objectType;
    this.columns = columns;
    this.columnIndex = columnIndex;
    this.memory = memory;
    this.root = root;
    this.unparsedCount = unparsedCount;
  }

  /**
   * A builder for a batch of {@code objectType} with the given property columns.
   *
   * @param columns the property columns in table order; names must be distinct and not
   *     {@link SystemColumns system column} names
   * @param syncedAt the {@link SystemColumns#SYNCED_AT} of every row (truncated to microseconds)
   * @param runId the {@link SystemColumns#RUN_ID} of every row
   */
  public static Builder builder(String objectType, List<ColumnMapping> columns, BatchAllocator allocator,
      Instant syncedAt, String runId) {
    return new Builder(objectType, columns, allocator, syncedAt, runId);
  }

  public String objectType() {
    return objectType;
  }

  /**
   * {@link SystemColumns#ALL} first, then one column per mapping (its column name, type and
   * property), in mapping order. Column {@code i} is vector {@code i} of {@link #arrow()}.
   */
  public List<Column> columns() {
    return columns;
  }

  public int rowCount() {
    return open().getRowCount();
  }

  /** The record id of a row. */
  public long id(int row) {
    return ((BigIntVector) vector(row, 0)).get(row);
  }

  /**
   * The batch's ids, ascending.
   *
   * @throws IllegalArgumentException when an id appears in more than one row: batches reach a sink
   *     de-duplicated (a warehouse MERGE with two source rows for one id fails)
   */
  public long[] distinctIds() {
    long[] ids = new long[rowCount()];
    for (int row = 0; row < ids.length; row++) {
      ids[row] = id(row);
    }
    Arrays.sort(ids);
    for (int i = 1; i < ids.length; i++) {
      if (ids[i] == ids[i - 1]) {
        throw new IllegalArgumentException("The " + objectType() + " batch has more than one row for id " + ids[i]
            + "; batches must be de-duplicated by id before write() (DESIGN.md invariant 1), as a warehouse MERGE "
            + "with two source rows for one id fails. Nothing was written.");
      }
    }
    return ids;
  }

  /** The record's last modification in HubSpot; null if HubSpot did not say. */
  public Instant updatedAt(int row) {
    return (Instant) value(row, columnIndex.get(SystemColumns.UPDATED_AT));
  }

  public boolean archived(int row) {
    return ((BitVector) vector(row, columnIndex.get(SystemColumns.ARCHIVED))).get(row) == 1;
  }

  /**
   * Typed value: String (TEXT), Double (DOUBLE), BigDecimal with scale 9 (DECIMAL), Boolean, LocalDate (DATE),
   * Instant in UTC with µs precision (TIMESTAMP), Long (BIGINT); null when absent.
   *
   * @throws IndexOutOfBoundsException when {@code row} or {@code column} is out of range
   */
  public Object value(int row, int column) {
    Objects.checkIndex(column, columns.size());
    FieldVector v = vector(row, column);
    if (v.isNull(row)) {
      return null;
    }
    switch (columns.get(column).type()) {
      case TEXT: return new String(((VarCharVector) v).get(row), StandardCharsets.UTF_8);
      case DOUBLE: return ((Float8Vector) v).get(row);
      case DECIMAL: return ((DecimalVector) v).getObject(row);
      case BOOLEAN: return ((BitVector) v).get(row) == 1;
      case DATE: return LocalDate.ofEpochDay(((DateDayVector) v).get(row));
      case TIMESTAMP: return ValueParser.instantOfMicros(((TimeStampMicroTZVector) v).get(row));
      case BIGINT: return ((BigIntVector) v).get(row);
      default: throw new IllegalStateException("unknown column type " + columns.get(column).type());
    }
  }

  /**
   * The typed value of the named column, as {@link #value(int, int)}.
   *
   * @throws IllegalArgumentException naming the column if the batch has no such column
   */
  public Object value(int row, String columnName) {
    Integer column = columnIndex.get(columnName);
    if (column == null) {
      List<String> names = new ArrayList<>();
      columns.forEach(c -> names.add(c.name()));
      throw new IllegalArgumentException("No column '" + columnName + "' in this " + objectType + " batch; columns: "
          + names);
    }
    return value(row, column);
  }

  /** How many property values did not parse as their column's type and went to {@code _hs_unparsed} instead. */
  public int unparsedCount() {
    return unparsedCount;
  }

  /**
   * The Arrow vectors, for sinks that load Arrow directly; valid until {@link #close()}. Vector
   * {@code i} is named and typed as column {@code i}: BIGINT {@code BigIntVector}, TEXT
   * {@code VarCharVector}, DOUBLE {@code Float8Vector}, DECIMAL {@code DecimalVector(38, 9)}, BOOLEAN {@code BitVector}, DATE
   * {@code DateDayVector}, TIMESTAMP {@code TimeStampMicroTZVector} in "UTC". Callers must not
   * close or modify it.
   */
  public VectorSchemaRoot arrow() {
    return open();
  }

  /** Releases the batch's Arrow memory; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      root.close();
    } finally {
      memory.close();
    }
  }

  private VectorSchemaRoot open() {
    if (closed) {
      throw new IllegalStateException("This " + objectType + " RecordBatch is closed");
    }
    return root;
  }

  private FieldVector vector(int row, int column) {
    Objects.checkIndex(row, open().getRowCount());
    return root.getVector(column);
  }

  private static Field field(Column column, boolean nullable) {
    ArrowType type;
    switch (column.type()) {
      case TEXT: type = ArrowType.Utf8.INSTANCE; break;
      case DOUBLE: type = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE); break;
      case DECIMAL: type = new ArrowType.Decimal(ValueParser.DECIMAL_PRECISION, ValueParser.DECIMAL_SCALE, 128); break;
      case BOOLEAN: type = ArrowType.Bool.INSTANCE; break;
      case DATE: type = new ArrowType.Date(DateUnit.DAY); break;
      case TIMESTAMP: type = new ArrowType.Timestamp(TimeUnit.MICROSECOND, TIMEZONE); break;
      case BIGINT: type = new ArrowType.Int(64, true); break;
      default: throw new IllegalArgumentException("unknown column type " + column.type());
    }
    return new Field(column.name(), new FieldType(nullable, type, null), null);
  }

  /**
   * Collects records for one batch, keeping per id only the newest version. Holds the records on
   * the heap; Arrow memory is taken only by {@link #build()}. Not thread-safe; single use.
   */
  public static final class Builder {
    private final String objectType;
    private final List<ColumnMapping> mappings;
    private final BatchAllocator allocator;
    private final Instant syncedAt;
    private final String runId;
    private final Map<Long, CrmRecord> records = new LinkedHashMap<>();
    private boolean spent;

    private Builder(String objectType, List<ColumnMapping> mappings, BatchAllocator allocator, Instant syncedAt,
        String runId) {
      this.objectType = Objects.requireNonNull(objectType, "objectType");
      this.mappings = List.copyOf(Objects.requireNonNull(mappings, "columns"));
      this.allocator = Objects.requireNonNull(allocator, "allocator");
      this.syncedAt = Objects.requireNonNull(syncedAt, "syncedAt").truncatedTo(ChronoUnit.MICROS);
      this.runId = Objects.requireNonNull(runId, "runId");
      Map<String, ColumnMapping> seen = new HashMap<>();
      for (ColumnMapping m : this.mappings) {
        Objects.requireNonNull(m.column(), "column name of a ColumnMapping");
        Objects.requireNonNull(m.type(), "type of ColumnMapping " + m.column());
        if (SystemColumns.isSystem(m.column())) {
          throw new IllegalArgumentException("Property " + m.property() + " of " + objectType
              + " is mapped to system column '" + m.column() + "'");
        }
        ColumnMapping previous = seen.put(m.column(), m);
        if (previous != null) {
          throw new IllegalArgumentException("Column '" + m.column() + "' of " + objectType
              + " is mapped twice: to properties " + previous.property() + " and " + m.property());
        }
      }
    }

    /**
     * Adds a record. Per id only the newest version is kept (largest updatedAt; on a tie the one
     * added last; a null updatedAt counts as older than any): a batch never has two rows for one
     * id (invariant 1). A replaced record keeps the row position of the id's first version.
     */
    public Builder add(CrmRecord record) {
      checkNotSpent();
      Objects.requireNonNull(record, "record");
      records.merge(record.id(), record, (kept, added) -> isOlder(added, kept) ? kept : added);
      return this;
    }

    private static boolean isOlder(CrmRecord a, CrmRecord b) {
      if (a.updatedAt() == null) {
        return b.updatedAt() != null;
      }
      return b.updatedAt() != null && a.updatedAt().isBefore(b.updatedAt());
    }

    /** Distinct ids so far. */
    public int size() {
      return records.size();
    }

    /**
     * Parses the records into Arrow vectors. The builder is spent afterwards.
     *
     * @throws HubSpotSyncException with {@link ErrorCode#BAD_CONFIGURATION} when the batch does not
     *     fit in the allocator's limit
     */
    public RecordBatch build() {
      checkNotSpent();
      spent = true;
      List<Column> columns = new ArrayList<>(SystemColumns.ALL);
      for (ColumnMapping m : mappings) {
        columns.add(new Column(m.column(), m.type(), m.property()));
      }
      Map<String, Integer> index = new LinkedHashMap<>();
      List<Field> fields = new ArrayList<>();
      for (Column c : columns) {
        index.put(c.name(), index.size());
        fields.add(field(c, c.property() != null || isNullableSystemColumn(c.name())));
      }
      BufferAllocator memory = allocator.newBatchAllocator(objectType);
      VectorSchemaRoot root = null;
      try {
        root = VectorSchemaRoot.create(new Schema(fields), memory);
        int unparsed = fill(root, records.values());
        records.clear();
        return new RecordBatch(objectType, List.copyOf(columns), Map.copyOf(index), memory, root, unparsed);
      } catch (OutOfMemoryException e) {
        closeQuietly(root, memory);
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "A batch of " + records.size() + " "
            + objectType + " records does not fit in the BatchAllocator's limit of " + allocator.limitBytes()
            + " bytes: raise the limit or lower the batch size", false, e);
      } catch (RuntimeException | Error e) {
        closeQuietly(root, memory);
        throw e;
      }
    }

    private static boolean isNullableSystemColumn(String name) {
      return !name.equals(SystemColumns.ID) && !name.equals(SystemColumns.ARCHIVED)
          && !name.equals(SystemColumns.SYNCED_AT) && !name.equals(SystemColumns.RUN_ID);
    }

    private int fill(VectorSchemaRoot root, Collection<CrmRecord> rows) {
      int rowCount = rows.size();
      for (FieldVector v : root.getFieldVectors()) {
        v.setInitialCapacity(rowCount);
        v.allocateNew();
      }
      List<FieldVector> vectors = root.getFieldVectors();
      int system = SystemColumns.ALL.size();
      long syncedAtMicros = ValueParser.epochMicros(syncedAt);
      byte[] runIdBytes = runId.getBytes(StandardCharsets.UTF_8);
      Map<String, String> unparsedValues = new LinkedHashMap<>();
      int unparsed = 0;
      int row = 0;
      for (CrmRecord record : rows) {
        unparsedValues.clear();
        for (int i = 0; i < mappings.size(); i++) {
          ColumnMapping m = mappings.get(i);
          String raw = m.property() == null ? null : record.properties().get(m.property());
          Object value = ValueParser.parse(m.type(), raw);
          if (value == ValueParser.UNPARSED) {
            unparsedValues.put(m.property(), raw);
            value = null;
          }
          set(vectors.get(system + i), row, value);
        }
        unparsed += unparsedValues.size();
        // Order follows SystemColumns.ALL.
        ((BigIntVector) vectors.get(0)).setSafe(row, record.id());
        set(vectors.get(1), row, micro(record.createdAt()));
        set(vectors.get(2), row, micro(record.updatedAt()));
        ((BitVector) vectors.get(3)).setSafe(row, record.archived() ? 1 : 0);
        set(vectors.get(4), row, micro(record.archivedAt()));
        set(vectors.get(5), row, unparsedValues.isEmpty() ? null : json(unparsedValues));
        ((TimeStampMicroTZVector) vectors.get(6)).setSafe(row, syncedAtMicros);
        ((VarCharVector) vectors.get(7)).setSafe(row, runIdBytes);
        row++;
      }
      for (FieldVector v : vectors) {
        v.setValueCount(rowCount);
      }
      root.setRowCount(rowCount);
      return unparsed;
    }

    private static Instant micro(Instant instant) {
      return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }

    private static void set(FieldVector vector, int row, Object value) {
      if (value == null) {
        vector.setNull(row);
      } else if (vector instanceof VarCharVector) {
        ((VarCharVector) vector).setSafe(row, ((String) value).getBytes(StandardCharsets.UTF_8));
      } else if (vector instanceof Float8Vector) {
        ((Float8Vector) vector).setSafe(row, (Double) value);
      } else if (vector instanceof DecimalVector) {
        ((DecimalVector) vector).setSafe(row, (BigDecimal) value);
      } else if (vector instanceof BitVector) {
        ((BitVector) vector).setSafe(row, ((Boolean) value) ? 1 : 0);
      } else if (vector instanceof DateDayVector) {
        ((DateDayVector) vector).setSafe(row, Math.toIntExact(((LocalDate) value).toEpochDay()));
      } else if (vector instanceof TimeStampMicroTZVector) {
        ((TimeStampMicroTZVector) vector).setSafe(row, ValueParser.epochMicros((Instant) value));
      } else if (vector instanceof BigIntVector) {
        ((BigIntVector) vector).setSafe(row, (Long) value);
      } else {
        throw new IllegalStateException("unexpected vector " + vector.getClass().getSimpleName());
      }
    }

    private static String json(Map<String, String> values) {
      try {
        return JSON.writeValueAsString(values);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write unparsed values as JSON", e);
      }
    }

    private static void closeQuietly(VectorSchemaRoot root, BufferAllocator memory) {
      try {
        if (root != null) {
          root.close();
        }
      } finally {
        memory.close();
      }
    }

    private void checkNotSpent() {
      if (spent) {
        throw new IllegalStateException("This " + objectType + " RecordBatch.Builder has already built its batch");
      }
    }
  }
}
