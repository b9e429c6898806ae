package dev.loomservice.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

import dev.loomservice.client.Fetched;
import dev.loomservice.client.Fetcher;
import dev.loomservice.version.Version;

import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fetch URL...}: GETs every URL at once (at most {@code --concurrency} in flight), each on its own virtual
 * thread with a deadline, and prints one line per URL in the order given, as soon as it and those before it are
 * done. This is the aiohttp tutorial's {@code asyncio.gather} over {@code session.get}, written as blocking calls.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true, versionProvider = Version.class,
         header = "GET many URLs concurrently; print one line per URL, in the order given.",
         description = {"Each line is one of:",
                        "  URL: N bytes, status S, T ms",
                        "  URL: failed: KIND (DETAIL)[, N bytes], T ms",
                        "KIND is dns, refused, timeout, tls, io or status (a 4xx/5xx answer).",
                        "Redirects are reported, not followed."},
         exitCodeListHeading = "%nExit codes:%n",
         exitCodeList = {"0:every URL answered below 400", "1:some URL failed", "2:bad command line"})
public final class FetchCommand implements Callable<Integer> {
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

    @Parameters(arity = "1..*", paramLabel = "URL", converter = HttpUrl.class, description = "http(s) URLs")
    private List<URI> urls;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "64",
            description = "At most N requests in flight (default: ${DEFAULT-VALUE}).")
    private int concurrency;

    @Mixin
    private TimeoutOption timeout;

    @Option(names = "--json", description = "Print one JSON object per line instead (url, status, bytes, millis; "
                                            + "error and detail when failed).")
    private boolean json;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (concurrency < 1 || concurrency > 10_000) {
            throw new ParameterException(spec.commandLine(), "--concurrency must be 1 to 10000; got " + concurrency);
        }
        PrintWriter out = spec.commandLine().getOut();
        int failed = 0;
        try (Fetcher fetcher = new Fetcher(timeout.get(), concurrency);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore inFlight = new Semaphore(concurrency);
            List<Future<Fetched>> results = new ArrayList<>(urls.size());
            for (URI url : urls) {
                results.add(threads.submit(() -> {
                    inFlight.acquire();
                    try {
                        return fetcher.get(url, 0); // only counts the body: nothing to keep
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            for (Future<Fetched> result : results) {
                Fetched r = await(result);
                out.println(json ? json(r) : line(r));
                out.flush();
                failed += r.ok() ? 0 : 1;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** The text line for one URL; its format is documented in the README. */
    static String line(Fetched r) {
        if (r.ok()) {
            return r.url() + ": " + r.bytes() + " bytes, status " + r.status() + ", " + r.millis() + " ms";
        }
        return r.url() + ": failed: " + r.failure().orElseThrow()
                + (r.status() > 0 ? ", " + r.bytes() + " bytes" : "") + ", " + r.millis() + " ms";
    }

    /** The JSON line for one URL: the same fields as a crawled page, where they apply. */
    static String json(Fetched r) {
        JsonObjectBuilder o = JSON.createObjectBuilder().add("url", r.url().toString());
        if (r.status() > 0) {
            o.add("status", r.status());
        } else {
            o.addNull("status");
        }
        o.add("bytes", r.bytes()).add("millis", r.millis());
        r.failure().ifPresent(f -> o.add("error", f.kind().label()).add("detail", f.detail()));
        return o.build().toString();
    }

    private static Fetched await(Future<Fetched> result) throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) { // Fetcher.get reports failures as values; only interruption is thrown
            throw new IllegalStateException("fetch task failed", e.getCause());
        }
    }
}
