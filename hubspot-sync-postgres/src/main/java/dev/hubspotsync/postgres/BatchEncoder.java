package dev.hubspotsync.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;

/**
 * Writes a {@link RecordBatch}'s rows, all its columns in batch order, into a binary COPY, reading
 * the Arrow vectors directly. Values PostgreSQL would reject are changed so the row still loads,
 * and counted: NUL characters are dropped from text; a date or timestamp outside PostgreSQL's range
 * (before 4714 BC, or a date after 5874897 AD) becomes null, and for a property column its text goes
 * to {@code _hs_unparsed} as any value that does not fit its column.
 *
 * <p>Each column's Arrow buffers are copied to heap arrays once (a few bulk copies per batch), so
 * encoding a value is plain array access. Not thread-safe.
 */
final class BatchEncoder {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, Object>> JSON_OBJECT = new TypeReference<>() {};
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final RecordBatch batch;
  private final List<Column> columns;
  private final int rows;
  private final ColumnType[] types;
  /** Per column: its validity bits (bit set = value present). */
  private final byte[][] validity;
  /** Per column: its values (fixed width, little-endian, or bit-packed booleans) or its text bytes. */
  private final byte[][] data;
  /** Per TEXT column: the start of each row's bytes in {@link #data}, and the end of the last. */
  private final int[][] offsets;
  private final int[] temporal;
  private final int unparsedColumn;

  BatchEncoder(RecordBatch batch) {
    this.batch = batch;
    this.columns = batch.columns();
    this.rows = batch.rowCount();
    int n = columns.size();
    this.types = new ColumnType[n];
    this.validity = new byte[n][];
    this.data = new byte[n][];
    this.offsets = new int[n][];
    int temporalCount = 0;
    for (int i = 0; i < n; i++) {
      types[i] = columns.get(i).type();
      copyColumn(i, batch.arrow().getVector(i));
      if (types[i] == ColumnType.DATE || types[i] == ColumnType.TIMESTAMP) {
        temporalCount++;
      }
    }
    this.temporal = new int[temporalCount];
    int t = 0;
    for (int i = 0; i < n; i++) {
      if (types[i] == ColumnType.DATE || types[i] == ColumnType.TIMESTAMP) {
        temporal[t++] = i;
      }
    }
    this.unparsedColumn = columns.stream().map(Column::name).toList().indexOf(SystemColumns.UNPARSED);
  }

  private void copyColumn(int column, FieldVector vector) {
    validity[column] = bytes(vector.getValidityBuffer(), (rows + 7) / 8);
    switch (types[column]) {
      case TEXT: {
        byte[] offsetBytes = bytes(vector.getOffsetBuffer(), rows == 0 ? 0 : (rows + 1) * 4);
        int[] starts = new int[rows + 1];
        for (int row = 0; row <= rows && rows > 0; row++) {
          starts[row] = (int) INT_LE.get(offsetBytes, row * 4);
        }
        offsets[column] = starts;
        data[column] = bytes(vector.getDataBuffer(), rows == 0 ? 0 : starts[rows] - starts[0]);
        if (rows > 0 && starts[0] != 0) {
          int base = starts[0];
          for (int row = 0; row <= rows; row++) {
            starts[row] -= base;
          }
          data[column] = bytes(vector.getDataBuffer(), base, starts[rows]);
        }
        break;
      }
      case BOOLEAN: data[column] = bytes(vector.getDataBuffer(), (rows + 7) / 8); break;
      case DATE: data[column] = bytes(vector.getDataBuffer(), rows * 4); break;
      case DECIMAL: data[column] = bytes(vector.getDataBuffer(), rows * 16); break;
      case DOUBLE:
      case TIMESTAMP:
      case BIGINT: data[column] = bytes(vector.getDataBuffer(), rows * 8); break;
      default: throw new IllegalStateException("unknown column type " + types[column]);
    }
  }

  private static byte[] bytes(ArrowBuf buffer, int length) {
    return bytes(buffer, 0, length);
  }

  private static byte[] bytes(ArrowBuf buffer, long from, int length) {
    byte[] copy = new byte[length];
    if (length > 0) {
      buffer.getBytes(from, copy, 0, length);
    }
    return copy;
  }

  /** Writes rows {@code [0, rowCount)}; returns the values cleaned. */
  int encode(BinaryCopy out) throws SQLException {
    int cleaned = 0;
    for (int row = 0; row < rows; row++) {
      cleaned += encodeRow(out, row);
    }
    return cleaned;
  }

  private boolean isNull(int column, int row) {
    return (validity[column][row >>> 3] & (1 << (row & 7))) == 0;
  }

  private int encodeRow(BinaryCopy out, int row) throws SQLException {
    boolean[] outOfRange = null;
    int cleaned = 0;
    for (int column : temporal) {
      if (!isNull(column, row) && !inRange(column, row)) {
        if (outOfRange == null) {
          outOfRange = new boolean[types.length];
        }
        outOfRange[column] = true;
        cleaned++;
      }
    }
    String unparsed = outOfRange == null ? null : unparsedWith(row, outOfRange);
    out.startRow(types.length);
    for (int column = 0; column < types.length; column++) {
      if (outOfRange != null && column == unparsedColumn) {
        if (unparsed == null) {
          out.writeNull();
        } else if (out.writeText(unparsed)) {
          cleaned++;
        }
      } else if (outOfRange != null && outOfRange[column]) {
        out.writeNull();
      } else {
        cleaned += writeValue(out, column, row);
      }
    }
    return cleaned;
  }

  private boolean inRange(int column, int row) {
    if (types[column] == ColumnType.DATE) {
      return BinaryCopy.validDate((int) INT_LE.get(data[column], row * 4));
    }
    return BinaryCopy.validTimestamp((long) LONG_LE.get(data[column], row * 8));
  }

  /** Writes one value; returns 1 if it had to be cleaned, else 0. */
  private int writeValue(BinaryCopy out, int column, int row) {
    if (isNull(column, row)) {
      out.writeNull();
      return 0;
    }
    byte[] values = data[column];
    switch (types[column]) {
      case TEXT: {
        int[] starts = offsets[column];
        return out.writeText(values, starts[row], starts[row + 1] - starts[row]) ? 1 : 0;
      }
      case DECIMAL:
        if (!out.writeNumeric((long) LONG_LE.get(values, row * 16), (long) LONG_LE.get(values, row * 16 + 8))) {
          // Cannot happen for a RecordBatch (its DECIMAL vectors hold NUMERIC(38,9) values); kept safe.
          out.writeNull();
          return 1;
        }
        return 0;
      case DOUBLE:
        out.writeFloat8((long) LONG_LE.get(values, row * 8));
        return 0;
      case BOOLEAN:
        out.writeBoolean((values[row >>> 3] & (1 << (row & 7))) != 0);
        return 0;
      case DATE:
        out.writeDate((int) INT_LE.get(values, row * 4));
        return 0;
      case TIMESTAMP:
        out.writeTimestamp((long) LONG_LE.get(values, row * 8));
        return 0;
      case BIGINT:
        out.writeBigint((long) LONG_LE.get(values, row * 8));
        return 0;
      default:
        throw new IllegalStateException("unknown column type " + types[column]);
    }
  }

  /** The row's {@code _hs_unparsed} JSON with the text of its out-of-range property values added. */
  private String unparsedWith(int row, boolean[] outOfRange) {
    Map<String, Object> values = new LinkedHashMap<>();
    Object stored = unparsedColumn < 0 ? null : batch.value(row, unparsedColumn);
    try {
      if (stored != null) {
        values.putAll(JSON.readValue((String) stored, JSON_OBJECT));
      }
      boolean added = false;
      for (int column = 0; column < outOfRange.length; column++) {
        Column c = columns.get(column);
        if (outOfRange[column] && c.property() != null) {
          values.putIfAbsent(c.property(), String.valueOf(batch.value(row, column)));
          added = true;
        }
      }
      if (!added) {
        return (String) stored;
      }
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("The _hs_unparsed value of row " + batch.id(row) + " is not a JSON object", e);
    }
  }
}
