package dev.loomservice.http;

import java.net.http.HttpResponse;
import java.util.Map;

import dev.loomservice.TestServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

class HelloIT {
    @RegisterExtension
    static final TestServer.PerClass server = TestServer.perClass(Map.of());

    @ParameterizedTest(name = "GET {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /                               | Hello, World!
            /greet/World                    | Hello, World!
            /greet/%E4%B8%96%E7%95%8C       | Hello, 世界!
            /greet/Zo%C3%AB%20Smith         | Hello, Zoë Smith!
            /greet                          | Hello, Anonymous!
            /greet/                         | Hello, Anonymous!
            /greet/%20                      | Hello, Anonymous!
            /Bob                            | Hello, Bob
            /%F0%9F%98%80                   | Hello, 😀
            /%D0%9C%D0%B8%D1%80             | Hello, Мир
            /%20                            | Hello, Anonymous
            """)
    void greetsByDecodedUnicodeName(String path, String greeting) {
        HttpResponse<String> res = server.http().get(path);
        assertThat(res.statusCode(), is(200));
        assertThat(res.body(), is(greeting));
        assertThat(res.headers().firstValue("Content-Type").orElseThrow(), is("text/plain; charset=UTF-8"));
    }

    @Test
    void unknownPathIsProblem404() {
        HttpResponse<String> res = server.http().get("/no/such/route");
        assertThat(res.statusCode(), is(404));
        assertThat(res.headers().firstValue("Content-Type").orElseThrow(), is("application/problem+json"));
        assertThat(res.body(), containsString("\"status\":404"));
        assertThat(res.body(), containsString("\"instance\":\"/no/such/route\""));
    }
}
