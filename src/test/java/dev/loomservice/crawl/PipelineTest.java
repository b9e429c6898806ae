package dev.loomservice.crawl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.loomservice.client.Failure;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PipelineTest {
    private static final Page OK = new Page(URI.create("http://e.com/a"), 1, 200, 120,
                                            Optional.of("A \"quoted\" title"), 3, 7, Optional.empty(),
                                            Optional.empty());
    private static final Page REDIRECT = new Page(URI.create("http://e.com/r"), 2, 301, 0, Optional.empty(), 1, 2,
                                                  Optional.of(URI.create("http://e.com/a")), Optional.empty());
    private static final Page REFUSED = new Page(URI.create("http://e.com:1/"), 0, 0, 0, Optional.empty(), 0, 3,
                                                 Optional.empty(),
                                                 Optional.of(new Failure(Failure.Kind.REFUSED, "Connection refused")));

    @Test
    void eachPageIsOneJsonLineWithStableFields() {
        assertThat(Pipeline.line(OK), is("{\"url\":\"http://e.com/a\",\"depth\":1,\"status\":200,\"bytes\":120,"
                + "\"title\":\"A \\\"quoted\\\" title\",\"links\":3,\"millis\":7}\n"));
        assertThat(Pipeline.line(REDIRECT), is("{\"url\":\"http://e.com/r\",\"depth\":2,\"status\":301,\"bytes\":0,"
                + "\"title\":null,\"links\":1,\"millis\":2,\"location\":\"http://e.com/a\"}\n"));
        assertThat(Pipeline.line(REFUSED), is("{\"url\":\"http://e.com:1/\",\"depth\":0,\"status\":null,"
                + "\"bytes\":0,\"title\":null,\"links\":0,\"millis\":3,\"error\":\"refused\","
                + "\"detail\":\"Connection refused\"}\n"));
    }

    @Test
    void closeWritesEverythingQueuedAndCountsPagesAndErrors() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Pipeline pipeline = new Pipeline(out, 2); // smaller than the number of pages: put() must wait, not fail
        for (int i = 0; i < 50; i++) {
            pipeline.put(i % 10 == 0 ? REFUSED : OK);
        }
        pipeline.close();
        assertThat(out.toString(StandardCharsets.UTF_8).lines().count(), is(50L));
        assertThat(pipeline.pages(), is(50L));
        assertThat(pipeline.errors(), is(5L));
    }

    @Test
    void aFailedWriteIsReportedByClose() throws Exception {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        Pipeline pipeline = new Pipeline(full, 4);
        pipeline.put(OK);
        IOException e = assertThrows(IOException.class, pipeline::close);
        assertThat(e.getMessage(), containsString("No space left"));
        assertThat(pipeline.pages(), is(0L));
    }
}
