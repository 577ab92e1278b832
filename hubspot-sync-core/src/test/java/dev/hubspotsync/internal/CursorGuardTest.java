package dev.hubspotsync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import org.junit.jupiter.api.Test;

class CursorGuardTest {

  @Test
  void cursorsThatMovePassAndTheEndIsNoRepeat() {
    CursorGuard guard = new CursorGuard("list contacts");
    assertThat(guard.next("100")).isEqualTo("100");
    assertThat(guard.next("200")).isEqualTo("200");
    assertThat(guard.next(null)).isNull();
    assertThat(guard.next(null)).isNull();
  }

  @Test
  void aCursorSeenBeforeStopsTheReadNamingIt() {
    CursorGuard guard = new CursorGuard("list archived deals");
    guard.next("100");
    guard.next("200");
    assertThatThrownBy(() -> guard.next("100")).isInstanceOfSatisfying(HubSpotSyncException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_RESPONSE);
      assertThat(e.retryable()).isFalse();
    }).hasMessageContaining("HubSpot list archived deals sent the paging cursor \"100\" a second time")
        .hasMessageContaining("the rows read so far are kept");
  }

  @Test
  void anIdFloorMustRise() {
    CursorGuard guard = new CursorGuard("search contacts by id");
    assertThat(guard.above(0, 5)).isEqualTo(5);
    assertThatThrownBy(() -> guard.above(5, 5)).hasMessageContaining("a page whose last id 5 is not above the previous page's 5");
    assertThatThrownBy(() -> guard.above(9, 3)).isInstanceOf(HubSpotSyncException.class);
  }
}
