package dev.hubspotsync.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchAllocatorTest {

  @Test
  void worksOnThisJvmAndStartsEmpty() {
    try (BatchAllocator allocator = BatchAllocator.create(1 << 20)) {
      assertThat(allocator.allocatedBytes()).isZero();
    }
  }

  @Test
  void rejectsANonPositiveLimit() {
    assertThatThrownBy(() -> BatchAllocator.create(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limitBytes");
  }

  @Test
  void closingWithAnOpenBatchFailsNamingTheLeakedBytes() {
    BatchAllocator allocator = BatchAllocator.create(1 << 20);
    List<ColumnMapping> columns = List.of(new ColumnMapping("subject", "subject", ColumnType.TEXT));
    RecordBatch batch = RecordBatch.builder("tickets", columns, allocator, Instant.EPOCH, "run")
        .add(new CrmRecord(1, Map.of("subject", "hi"), null, null, false, null))
        .build();
    long held = allocator.allocatedBytes();
    assertThat(held).isPositive();

    assertThatThrownBy(allocator::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(held + " bytes")
        .hasMessageContaining("1 record batches")
        .hasMessageContaining("tickets");

    batch.close();
    assertThat(allocator.allocatedBytes()).isZero();
    allocator.close();
    allocator.close();
    assertThatThrownBy(() -> RecordBatch.builder("tickets", List.of(), allocator, Instant.EPOCH, "run").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void theUnusableArrowMessageNamesTheFlagAndJdkJavaOptions() {
    UnsupportedOperationException cause = new UnsupportedOperationException(
        "sun.misc.Unsafe or java.nio.DirectByteBuffer.<init>(long, int) not available");
    HubSpotSyncException e = BatchAllocator.arrowUnusable(cause);
    assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION);
    assertThat(e.retryable()).isFalse();
    assertThat(e.getCause()).isSameAs(cause);
    assertThat(e.getMessage())
        .contains("--add-opens=java.base/java.nio=ALL-UNNAMED")
        .contains("JDK_JAVA_OPTIONS")
        .contains("DirectByteBuffer");
  }

  /** Runs {@link BatchAllocator#create} in a JVM started without the flag. */
  @Test
  void failsFastWithTheFlagInTheMessageWhenTheJvmLacksIt() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", childClassPath(), WithoutFlag.class.getName());
    pb.environment().remove("JDK_JAVA_OPTIONS");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.redirectErrorStream(true);
    Process process = pb.start();
    String output;
    try (InputStream in = process.getInputStream()) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      in.transferTo(buffer);
      output = buffer.toString(StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(output)
        .contains("code=BAD_CONFIGURATION")
        .contains("--add-opens=java.base/java.nio=ALL-UNNAMED")
        .contains("JDK_JAVA_OPTIONS");
    assertThat(process.exitValue()).as(output).isEqualTo(3);
  }

  /**
   * This JVM's class path plus the jars and directories of the classes the child needs, since a
   * launcher (an IDE's, or JUnit's console) may load tests through a class loader of its own.
   */
  private static String childClassPath() throws Exception {
    Set<String> entries = new LinkedHashSet<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
    for (String name : List.of(WithoutFlag.class.getName(), BatchAllocator.class.getName(),
        HubSpotSyncException.class.getName(), "org.apache.arrow.memory.RootAllocator",
        "org.apache.arrow.memory.netty.DefaultAllocationManagerFactory", "io.netty.buffer.PooledByteBufAllocatorL",
        "io.netty.buffer.ByteBuf", "io.netty.util.internal.PlatformDependent", "org.slf4j.Logger")) {
      Class<?> type = Class.forName(name, false, BatchAllocatorTest.class.getClassLoader());
      CodeSource source = type.getProtectionDomain().getCodeSource();
      if (source != null) {
        entries.add(Path.of(source.getLocation().toURI()).toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /** The child JVM's entry point. */
  static final class WithoutFlag {
    public static void main(String[] args) {
      try (BatchAllocator allocator = BatchAllocator.create(1 << 20)) {
        System.out.println("created " + allocator.allocatedBytes());
        System.exit(0);
      } catch (HubSpotSyncException e) {
        System.out.println("code=" + e.code() + " message=" + e.getMessage());
        System.exit(3);
      }
    }
  }
}
