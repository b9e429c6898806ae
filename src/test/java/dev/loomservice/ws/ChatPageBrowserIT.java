package dev.loomservice.ws;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.loomservice.Await;
import dev.loomservice.TestServer;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * {@code /chat.html} in a real browser: headless Chromium opens it in two tabs, one sends, the other shows it.
 *
 * <p>Chromium is driven over its DevTools protocol with the JDK WebSocket client ({@link Chromium}) rather than
 * Playwright: the build stays Maven-only (no npm install, no Node.js, no browser download at test time), and the
 * three commands needed are a few lines of JSON. Without Chromium the test is skipped on a developer machine,
 * and fails under CI ({@code CI=true}), whose .ci/run installs the Debian package {@code chromium}.
 * Screenshots go to {@code target/browser/}.
 */
class ChatPageBrowserIT {
    private static final Path WORK = Path.of("target", "browser");
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void aMessageSentInOneTabAppearsInTheOther() throws Exception {
        Path executable = chromium();
        try (TestServer server = TestServer.start(Map.of());
             Chromium browser = Chromium.launch(executable, WORK)) {
            String page = "http://localhost:" + server.port() + "/chat.html?room=browser&name=";
            Chromium.Page alice = joined(browser.open(page + "alice"));
            Chromium.Page bob = joined(browser.open(page + "%E5%B0%8F%E6%98%8E")); // 小明, after alice
            Await.until("alice sees 小明 join", DEADLINE, () -> log(alice).contains("小明 joined"));

            alice.eval("document.getElementById('text').value = 'hello from alice, 你好 <b>not bold</b>';"
                               + "document.getElementById('send').click()");
            Await.until("小明's tab shows alice's message", DEADLINE,
                        () -> log(bob).contains("alice: hello from alice, 你好 <b>not bold</b>"));
            assertThat("markup in a message is shown as text",
                       bob.text("String(document.querySelectorAll('#log b').length)"), is("0"));
            assertThat(alice.text("document.getElementById('text').value"), is(""));

            alice.screenshot(WORK.resolve("chat-alice.png"));
            bob.screenshot(WORK.resolve("chat-bob.png"));
        }
    }

    /** Waits until the tab's page has loaded and its WebSocket is open. */
    private static Chromium.Page joined(Chromium.Page tab) {
        Await.until("the page has joined", DEADLINE, () -> tab.text(
                "document.readyState === 'complete' && document.getElementById('status')"
                        + " ? document.getElementById('status').textContent : 'loading'").startsWith("joined"));
        return tab;
    }

    private static String log(Chromium.Page tab) {
        return tab.text("document.getElementById('log').textContent");
    }

    /** The browser, or a skip (a failure under CI, which must run this test). */
    private static Path chromium() {
        Optional<Path> found = Chromium.find();
        String ci = System.getenv().getOrDefault("CI", "");
        if (found.isEmpty() && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0")) {
            throw new AssertionError("CI=" + ci + " but no Chromium found (set $CHROMIUM or install the Debian package "
                                             + "'chromium'; .ci/run does)");
        }
        Assumptions.assumeTrue(found.isPresent(), "no Chromium found: set $CHROMIUM or `apt-get install chromium`");
        return found.orElseThrow();
    }
}
