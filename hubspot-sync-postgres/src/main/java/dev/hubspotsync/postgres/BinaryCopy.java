package dev.hubspotsync.postgres;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * One {@code COPY … FROM STDIN (FORMAT binary)} in progress: encodes fields in PostgreSQL's binary
 * wire format into a buffer and hands it to PgJDBC's {@link CopyIn} in large chunks. Not
 * thread-safe; single use. {@link #close()} cancels a COPY that did not {@link #finish()}.
 */
final class BinaryCopy implements AutoCloseable {
  /** Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 UTC. */
  static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
  /** Days from 1970-01-01 to 2000-01-01. */
  static final int PG_EPOCH_DAYS = 10_957;
  /** The earliest TIMESTAMPTZ PostgreSQL accepts (4714-11-24 BC), in microseconds since 1970. */
  static final long MIN_TIMESTAMP_MICROS = -211_813_488_000_000_000L + PG_EPOCH_MICROS;
  /** DATE accepts 4714-11-24 BC (Julian day 0) up to 5874897-12-31, in days since 1970. */
  static final long MIN_DATE_DAYS = -2_451_545L + PG_EPOCH_DAYS;
  static final long MAX_DATE_DAYS = 2_147_483_494L - 2_451_545L + PG_EPOCH_DAYS - 1;

  private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0,
      0, 0, 0, 0, 0, 0, 0, 0};
  private static final int FLUSH_BYTES = 1 << 19;
  private static final BigInteger BILLION = BigInteger.valueOf(1_000_000_000L);
  private static final BigInteger TEN_TO_16 = BigInteger.valueOf(10_000_000_000_000_000L);
  /** NUMERIC(38,9) holds at most 29 digits before the point. */
  private static final BigInteger INTEGER_LIMIT = BigInteger.TEN.pow(29);
  private static final short NUMERIC_POSITIVE = 0x0000;
  private static final short NUMERIC_NEGATIVE = 0x4000;
  private static final short NUMERIC_SCALE = 9;
  private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final CopyIn copy;
  private final int[] digits = new int[11];
  private byte[] buf = new byte[FLUSH_BYTES + (1 << 16)];
  private int pos;
  private boolean finished;

  private BinaryCopy(CopyIn copy) {
    this.copy = copy;
    System.arraycopy(HEADER, 0, buf, 0, HEADER.length);
    pos = HEADER.length;
  }

  /** Starts {@code sql}, a {@code COPY … FROM STDIN (FORMAT binary)}, on the connection. */
  static BinaryCopy start(Connection connection, String sql) throws SQLException {
    return new BinaryCopy(connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql));
  }

  static boolean validTimestamp(long epochMicros) {
    // PostgreSQL's upper bound (294276 AD) lies beyond any long of microseconds since 1970.
    return epochMicros >= MIN_TIMESTAMP_MICROS;
  }

  static boolean validDate(int epochDay) {
    return epochDay >= MIN_DATE_DAYS && epochDay <= MAX_DATE_DAYS;
  }

  /** Starts a row of {@code fields} fields; flushes the rows so far when the buffer is full. */
  void startRow(int fields) throws SQLException {
    if (pos >= FLUSH_BYTES) {
      flush();
    }
    ensure(2);
    putShort(fields);
  }

  void writeNull() {
    ensure(4);
    putInt(-1);
  }

  void writeBigint(long value) {
    ensure(12);
    putInt(8);
    putLong(value);
  }

  /** A DOUBLE PRECISION (float8) from the bits of an IEEE 754 double, as Arrow's Float8Vector holds them. */
  void writeFloat8(long bits) {
    writeBigint(bits);
  }

  void writeInt(int value) {
    ensure(8);
    putInt(4);
    putInt(value);
  }

  void writeBoolean(boolean value) {
    ensure(5);
    putInt(1);
    buf[pos++] = (byte) (value ? 1 : 0);
  }

  /** A TIMESTAMPTZ; the caller has checked it with {@link #validTimestamp}. */
  void writeTimestamp(long epochMicros) {
    ensure(12);
    putInt(8);
    putLong(epochMicros - PG_EPOCH_MICROS);
  }

  /** A DATE; the caller has checked it with {@link #validDate}. */
  void writeDate(int epochDay) {
    ensure(8);
    putInt(4);
    putInt(epochDay - PG_EPOCH_DAYS);
  }

  /**
   * TEXT from UTF-8 bytes, without NUL characters (PostgreSQL rejects them in text).
   *
   * @return whether NULs were removed
   */
  boolean writeText(byte[] utf8, int from, int length) {
    ensure(4 + length);
    int lengthAt = pos;
    pos += 4;
    System.arraycopy(utf8, from, buf, pos, length);
    int kept = removeNuls(pos, length);
    putIntAt(lengthAt, kept);
    pos += kept;
    return kept != length;
  }

  /** TEXT from a string, without NUL characters; returns whether NULs were removed. */
  boolean writeText(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    return writeText(bytes, 0, bytes.length);
  }

  /** Compacts {@code buf[from, from+length)} without zero bytes (UTF-8 has a 0 byte only for NUL). */
  private int removeNuls(int from, int length) {
    int end = from + length;
    int i = from;
    // Eight bytes at a time: (v - 0x01…01) & ~v & 0x80…80 is non-zero iff v has a zero byte.
    while (i + 8 <= end) {
      long v = (long) LONG_LE.get(buf, i);
      if (((v - 0x0101010101010101L) & ~v & 0x8080808080808080L) != 0) {
        break;
      }
      i += 8;
    }
    while (i < end && buf[i] != 0) {
      i++;
    }
    if (i == end) {
      return length;
    }
    int out = i;
    for (; i < end; i++) {
      byte b = buf[i];
      if (b != 0) {
        buf[out++] = b;
      }
    }
    return out - from;
  }

  /**
   * A NUMERIC(38,9) from Arrow's 128-bit little-endian two's-complement unscaled value of scale 9
   * ({@code lo} the low 64 bits, {@code hi} the high ones).
   *
   * @return false, writing nothing, when the value has more than 29 digits before the point and so
   *     does not fit NUMERIC(38,9)
   */
  boolean writeNumeric(long lo, long hi) {
    boolean negative = hi < 0;
    long high;
    long low;
    long fraction;
    if (hi == (lo >> 63) && lo != Long.MIN_VALUE) {
      long unscaled = Math.abs(lo);
      high = 0;
      low = unscaled / 1_000_000_000L;
      fraction = unscaled % 1_000_000_000L;
    } else {
      BigInteger unscaled = unscaled(lo, hi).abs();
      BigInteger[] integerAndFraction = unscaled.divideAndRemainder(BILLION);
      if (integerAndFraction[0].compareTo(INTEGER_LIMIT) >= 0) {
        return false;
      }
      BigInteger[] split = integerAndFraction[0].divideAndRemainder(TEN_TO_16);
      high = split[0].longValue();
      low = split[1].longValue();
      fraction = integerAndFraction[1].longValue();
    }
    // Base-10000 digits, most significant first: 4 of high, 4 of low, 3 of the fraction (scale 12).
    int[] d = digits;
    putGroups(d, 0, high);
    putGroups(d, 4, low);
    d[8] = (int) (fraction / 100_000L);
    d[9] = (int) (fraction / 10L % 10_000L);
    d[10] = (int) (fraction % 10L) * 1_000;
    int first = 0;
    while (first < d.length && d[first] == 0) {
      first++;
    }
    int last = d.length - 1;
    while (last >= first && d[last] == 0) {
      last--;
    }
    int count = first > last ? 0 : last - first + 1;
    ensure(12 + 2 * count);
    putInt(8 + 2 * count);
    putShort(count);
    putShort(count == 0 ? 0 : 7 - first);
    putShort(negative && count > 0 ? NUMERIC_NEGATIVE : NUMERIC_POSITIVE);
    putShort(NUMERIC_SCALE);
    for (int i = 0; i < count; i++) {
      putShort(d[first + i]);
    }
    return true;
  }

  private static void putGroups(int[] d, int at, long value) {
    d[at] = (int) (value / 1_000_000_000_000L % 10_000L);
    d[at + 1] = (int) (value / 100_000_000L % 10_000L);
    d[at + 2] = (int) (value / 10_000L % 10_000L);
    d[at + 3] = (int) (value % 10_000L);
  }

  private static BigInteger unscaled(long lo, long hi) {
    byte[] bytes = new byte[16];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (hi >>> (56 - 8 * i));
      bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    return new BigInteger(bytes);
  }

  /** Ends the COPY (trailer, last chunk) and returns the rows the server took. */
  long finish() throws SQLException {
    ensure(2);
    putShort(-1);
    flush();
    finished = true;
    return copy.endCopy();
  }

  @Override
  public void close() throws SQLException {
    if (!finished && copy.isActive()) {
      copy.cancelCopy();
    }
  }

  private void flush() throws SQLException {
    if (pos > 0) {
      copy.writeToCopy(buf, 0, pos);
      pos = 0;
    }
  }

  private void ensure(int bytes) {
    if (pos + bytes > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + bytes));
    }
  }

  private void putShort(int v) {
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  private void putInt(int v) {
    putIntAt(pos, v);
    pos += 4;
  }

  private void putIntAt(int at, int v) {
    INT_BE.set(buf, at, v);
  }

  private void putLong(long v) {
    LONG_BE.set(buf, pos, v);
    pos += 8;
  }
}
