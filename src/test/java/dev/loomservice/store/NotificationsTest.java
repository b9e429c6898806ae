package dev.loomservice.store;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class NotificationsTest {
    @Test
    void aPayloadFitsUpTo7999BytesOfUtf8() {
        assertThat(Notifications.fits("x".repeat(7_999)), is(true));
        assertThat(Notifications.fits("x".repeat(8_000)), is(false));
        assertThat(Notifications.fits("€".repeat(2_666)), is(true)); // 7,998 bytes
        assertThat(Notifications.fits("€".repeat(2_667)), is(false)); // 8,001 bytes
        assertThat(Notifications.fits("😀".repeat(1_999) + "xxx"), is(true)); // 7,999 bytes
        assertThat(Notifications.fits("😀".repeat(2_000)), is(false));
    }
}
