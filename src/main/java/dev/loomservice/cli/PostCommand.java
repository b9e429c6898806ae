package dev.loomservice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.loomservice.client.Fetched;
import dev.loomservice.client.Fetcher;
import dev.loomservice.version.Version;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code post URL --json '{...}'} or {@code --data @file.json}: one POST; prints the status line, then the body.
 */
@Command(name = "post", mixinStandardHelpOptions = true, versionProvider = Version.class,
         header = "POST a body (JSON by default); print the status, then the body.",
         description = {"Prints, for example:",
                        "  201 Created",
                        "  {\"id\":1,\"title\":\"hi\"}",
                        "Without an answer: 'URL: failed: KIND (DETAIL), T ms' on stderr."},
         exitCodeListHeading = "%nExit codes:%n",
         exitCodeList = {"0:answered below 400", "1:no answer, or an answer of 400 or more",
                         "2:bad command line"})
public final class PostCommand implements Callable<Integer> {
    /** Answers longer than this are cut (and say so on stderr). */
    static final int MAX_BODY = 16 * 1024 * 1024;

    @Parameters(index = "0", paramLabel = "URL", converter = HttpUrl.class, description = "http(s) URL")
    private URI url;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Body body;

    static final class Body {
        @Option(names = "--json", paramLabel = "JSON", required = true, description = "The body, as given.")
        String json;

        @Option(names = "--data", paramLabel = "TEXT|@FILE", required = true,
                description = "The body: TEXT, or the bytes of FILE when it starts with @ (@- is stdin).")
        String data;
    }

    @Option(names = "--content-type", paramLabel = "TYPE", defaultValue = "application/json",
            description = "Content-Type of the body (default: ${DEFAULT-VALUE}).")
    private String contentType;

    @Mixin
    private TimeoutOption timeout;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        byte[] bytes = bytes();
        Fetched r;
        try (Fetcher fetcher = new Fetcher(timeout.get(), 1)) {
            r = fetcher.post(url, contentType, bytes, MAX_BODY);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (r.status() == 0) {
            err.println(FetchCommand.line(r));
            return 1;
        }
        out.println((r.status() + " " + r.reason()).strip());
        String text = r.text();
        out.print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
        out.flush();
        if (r.truncated()) {
            err.println("post: the answer was cut at " + MAX_BODY + " of " + r.bytes() + " bytes");
        }
        return r.ok() ? 0 : 1;
    }

    private byte[] bytes() {
        if (body.json != null) {
            return body.json.getBytes(StandardCharsets.UTF_8);
        }
        if (!body.data.startsWith("@")) {
            return body.data.getBytes(StandardCharsets.UTF_8);
        }
        String file = body.data.substring(1);
        try {
            return file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--data: cannot read " + file + ": " + e);
        }
    }
}
