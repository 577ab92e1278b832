package dev.hubspotsync.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Writes a {@link RecordBatch}'s rows, all its columns in batch order, into a binary COPY, reading
 * the Arrow vectors directly. Values PostgreSQL would reject are changed so the row still loads,
 * and counted: NUL characters are dropped from text; a date or timestamp outside PostgreSQL's range
 * (before 4714 BC, or a date after 5874897 AD) becomes null, and for a property column its text goes
 * to {@code _hs_unparsed} as any value that does not fit its column. Not thread-safe.
 */
final class BatchEncoder {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, Object>> JSON_OBJECT = new TypeReference<>() {};

  private final RecordBatch batch;
  private final List<Column> columns;
  private final FieldVector[] vectors;
  private final ColumnType[] types;
  private final int[] temporal;
  private final int unparsedColumn;

  BatchEncoder(RecordBatch batch) {
    this.batch = batch;
    this.columns = batch.columns();
    int n = columns.size();
    this.vectors = new FieldVector[n];
    this.types = new ColumnType[n];
    int temporalCount = 0;
    for (int i = 0; i < n; i++) {
      vectors[i] = batch.arrow().getVector(i);
      types[i] = columns.get(i).type();
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

  /** Writes rows {@code [0, rowCount)}; returns the values cleaned. */
  int encode(BinaryCopy out) throws SQLException {
    int rows = batch.rowCount();
    int cleaned = 0;
    for (int row = 0; row < rows; row++) {
      cleaned += encodeRow(out, row);
    }
    return cleaned;
  }

  private int encodeRow(BinaryCopy out, int row) throws SQLException {
    boolean[] outOfRange = null;
    int cleaned = 0;
    for (int column : temporal) {
      if (!vectors[column].isNull(row) && !inRange(column, row)) {
        if (outOfRange == null) {
          outOfRange = new boolean[vectors.length];
        }
        outOfRange[column] = true;
        cleaned++;
      }
    }
    String unparsed = outOfRange == null ? null : unparsedWith(row, outOfRange);
    out.startRow(vectors.length);
    for (int column = 0; column < vectors.length; column++) {
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
      return BinaryCopy.validDate(((DateDayVector) vectors[column]).get(row));
    }
    return BinaryCopy.validTimestamp(((TimeStampMicroTZVector) vectors[column]).get(row));
  }

  /** Writes one value; returns 1 if it had to be cleaned, else 0. */
  private int writeValue(BinaryCopy out, int column, int row) {
    FieldVector vector = vectors[column];
    if (vector.isNull(row)) {
      out.writeNull();
      return 0;
    }
    switch (types[column]) {
      case TEXT: {
        VarCharVector text = (VarCharVector) vector;
        int start = text.getStartOffset(row);
        return out.writeText(text.getDataBuffer(), start, text.getEndOffset(row) - start) ? 1 : 0;
      }
      case DECIMAL: {
        ArrowBuf data = ((DecimalVector) vector).getDataBuffer();
        long at = (long) row * DecimalVector.TYPE_WIDTH;
        if (!out.writeNumeric(data.getLong(at), data.getLong(at + 8))) {
          // Cannot happen for a RecordBatch (its DECIMAL vectors hold NUMERIC(38,9) values); kept safe.
          out.writeNull();
          return 1;
        }
        return 0;
      }
      case BOOLEAN:
        out.writeBoolean(((BitVector) vector).get(row) == 1);
        return 0;
      case DATE:
        out.writeDate(((DateDayVector) vector).get(row));
        return 0;
      case TIMESTAMP:
        out.writeTimestamp(((TimeStampMicroTZVector) vector).get(row));
        return 0;
      case BIGINT:
        out.writeBigint(((BigIntVector) vector).get(row));
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
