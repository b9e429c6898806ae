package dev.loomservice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.loomservice.Cli;
import dev.loomservice.TestServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static dev.loomservice.Regex.matches;
import static org.hamcrest.Matchers.startsWith;

/** {@code post} against a running server's {@code /posts}, in this JVM, over real sockets. */
class PostIT {
    private static TestServer server;
    private static String posts;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        posts = "http://localhost:" + server.port() + "/posts";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void postsJsonAndPrintsStatusThenBody() {
        Cli run = Cli.run("post", posts, "--json", "{\"title\":\"héllo\"}");
        assertThat(run.toString(), run.exitCode(), is(0));
        assertThat(run.outLines(), contains(is("201 Created"), matches("\\{\"id\":\\d+,\"title\":\"héllo\"}")));
    }

    @Test
    void postsTheBytesOfADataFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("post.json"), "{\"userId\":7}");
        Cli run = Cli.run("post", posts, "--data", "@" + file);
        assertThat(run.toString(), run.exitCode(), is(0));
        assertThat(run.outLines().get(1), containsString("\"userId\":7"));
    }

    @Test
    void anErrorAnswerIsPrintedAndExitsOne() {
        Cli run = Cli.run("post", posts, "--data", "{not json");
        assertThat(run.exitCode(), is(1));
        assertThat(run.outLines().get(0), is("400 Bad Request"));
        assertThat(run.outLines().get(1), containsString("\"detail\":\"malformed JSON"));
    }

    @Test
    void noAnswerGoesToStderrAndExitsOne() throws IOException {
        String refused = "http://127.0.0.1:" + FetchIT.closedPort() + "/posts";
        Cli run = Cli.run("post", refused, "--json", "{}");
        assertThat(run.exitCode(), is(1));
        assertThat(run.out(), is(""));
        assertThat(run.err(), startsWith(refused + ": failed: refused"));
    }

    @Test
    void aBodyIsRequiredAndOnlyOne() {
        Cli none = Cli.run("post", posts);
        assertThat(none.exitCode(), is(2));
        assertThat(none.err(), containsString("Missing required argument"));
        Cli both = Cli.run("post", posts, "--json", "{}", "--data", "{}");
        assertThat(both.exitCode(), is(2));
        assertThat(both.err(), containsString("mutually exclusive"));
        Cli missingFile = Cli.run("post", posts, "--data", "@/no/such/file.json");
        assertThat(missingFile.exitCode(), is(2));
        assertThat(missingFile.err(), containsString("--data: cannot read /no/such/file.json"));
    }
}
