package dev.hubspotsync.testkit;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts a {@link FakeHubSpot} for a test class (static field) or for each test (instance field) and
 * stops it afterwards; test methods can take it as a parameter.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final FakeHubSpotExtension HUBSPOT = FakeHubSpotExtension.with(() -> PortalSpec.builder().contacts(500).build());
 *
 * @Test
 * void reads(FakeHubSpot hubspot) { ... }
 * }</pre>
 */
public final class FakeHubSpotExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback, ParameterResolver {
  private final Supplier<PortalSpec> spec;
  private FakeHubSpot hubspot;
  private boolean perClass;

  private FakeHubSpotExtension(Supplier<PortalSpec> spec) {
    this.spec = spec;
  }

  /** A portal built from a fresh spec each time it starts (pass a supplier so clocks are not shared). */
  public static FakeHubSpotExtension with(Supplier<PortalSpec> spec) {
    return new FakeHubSpotExtension(spec);
  }

  /** A small portal with default behaviour. */
  public static FakeHubSpotExtension small() {
    return with(PortalSpec::small);
  }

  /** The running portal; fails outside a test. */
  public FakeHubSpot hubspot() {
    if (hubspot == null) {
      throw new IllegalStateException("FakeHubSpot is not running: use it inside a test");
    }
    return hubspot;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    hubspot = FakeHubSpot.start(spec.get());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!perClass) {
      hubspot = FakeHubSpot.start(spec.get());
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop();
    }
  }

  private void stop() {
    if (hubspot != null) {
      hubspot.close();
      hubspot = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == FakeHubSpot.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return hubspot();
  }
}
