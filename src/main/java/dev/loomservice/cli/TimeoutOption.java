package dev.loomservice.cli;

import java.time.Duration;

import picocli.CommandLine.Option;

/** The {@code --timeout} every client command takes: one deadline for each whole exchange ({@code Fetcher}). */
final class TimeoutOption {
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.class,
            description = "Deadline for each whole request: connect, send, and the complete answer, "
                          + "e.g. 500ms, 10s (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    Duration get() {
        return timeout;
    }
}
