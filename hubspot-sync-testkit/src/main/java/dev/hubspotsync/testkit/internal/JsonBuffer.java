package dev.hubspotsync.testkit.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with just enough JSON writing for records, the portal's hot path: most
 * values are ASCII with nothing to escape, which this copies in bulk. Not thread-safe; one per
 * server thread.
 */
final class JsonBuffer {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private byte[] buf = new byte[4096];
  private int len;

  void reset() {
    len = 0;
  }

  byte[] toBytes() {
    return Arrays.copyOf(buf, len);
  }

  JsonBuffer raw(char c) {
    ensure(1);
    buf[len++] = (byte) c;
    return this;
  }

  /** Appends text known to need no escaping (syntax, numbers). */
  JsonBuffer raw(String ascii) {
    int n = ascii.length();
    ensure(n);
    copyAscii(ascii, n);
    return this;
  }

  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int) is exact for ASCII, and a bulk copy
  private void copyAscii(String ascii, int n) {
    ascii.getBytes(0, n, buf, len);
    len += n;
  }

  private static boolean plainAscii(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** Appends a quoted, escaped JSON string, or {@code null}. */
  JsonBuffer string(String s) {
    if (s == null) {
      return raw("null");
    }
    if (plainAscii(s)) { // the common case: copy without allocating or escaping
      int n = s.length();
      ensure(n + 2);
      buf[len++] = '"';
      copyAscii(s, n);
      buf[len++] = '"';
      return this;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    ensure(utf8.length + 2);
    buf[len++] = '"';
    int start = 0;
    for (int i = 0; i < utf8.length; i++) {
      int b = utf8[i] & 0xFF;
      if (b >= 0x20 && b != '"' && b != '\\') {
        continue;
      }
      append(utf8, start, i - start);
      escape(b);
      start = i + 1;
    }
    append(utf8, start, utf8.length - start);
    ensure(1);
    buf[len++] = '"';
    return this;
  }

  /** {@code "name":} */
  JsonBuffer field(String name) {
    string(name);
    return raw(':');
  }

  private void escape(int b) {
    ensure(6);
    buf[len++] = '\\';
    switch (b) {
      case '"': buf[len++] = '"'; break;
      case '\\': buf[len++] = '\\'; break;
      case '\n': buf[len++] = 'n'; break;
      case '\r': buf[len++] = 'r'; break;
      case '\t': buf[len++] = 't'; break;
      default:
        buf[len++] = 'u';
        buf[len++] = '0';
        buf[len++] = '0';
        buf[len++] = HEX[b >> 4];
        buf[len++] = HEX[b & 0xF];
    }
  }

  private void append(byte[] src, int off, int n) {
    ensure(n);
    System.arraycopy(src, off, buf, len, n);
    len += n;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
