package dev.loomservice.http;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.loomservice.RawHttp;
import dev.loomservice.TestServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

class IoIT {
    @RegisterExtension
    static final TestServer.PerClass server = TestServer.perClass(Map.of());

    @Test
    void waitsTheRequestedMillisThenAnswers() {
        long start = System.nanoTime();
        HttpResponse<String> res = server.http().get("/io?ms=150");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(res.statusCode(), is(200));
        assertThat(res.body(), is("slept 150 ms"));
        assertThat(millis, greaterThanOrEqualTo(150L));
    }

    @Test
    void zeroIsAllowed() {
        assertThat(server.http().get("/io?ms=0").body(), is("slept 0 ms"));
    }

    @Test
    void aClientErrorKeepsTheConnectionForTheNextRequest() {
        RawHttp.Reply reply = RawHttp.exchange(server.port(), "GET /io?ms=x HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
        assertThat(reply.toString(), reply.statuses(), is(List.of(400, 200)));
    }

    @ParameterizedTest(name = "GET {0} -> 400 ({1})")
    @CsvSource(delimiter = '|', textBlock = """
            /io                 | it is missing
            /io?ms=             | got ''
            /io?ms=abc          | got 'abc'
            /io?ms=-1           | got '-1'
            /io?ms=60001        | got 60001
            /io?ms=99999999999  | got '99999999999'
            /io?ms=%2B5         | got '+5'
            /io?ms=1.5          | got '1.5'
            /io?ms=%D9%A5       | got '٥'
            /io?ms=1&ms=2       | it was given 2 times
            """)
    void rejectsBadMillisWithProblem400(String path, String why) {
        HttpResponse<String> res = server.http().get(path);
        assertThat(res.statusCode(), is(400));
        assertThat(res.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
        assertThat(res.body(), containsString("query parameter 'ms' must be one integer from 0 to 60000; " + why));
    }
}
