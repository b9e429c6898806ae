package dev.loomservice.config;

import java.time.Duration;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;

/**
 * Reads one configuration value with its default and checks its range, so a bad value stops startup with a
 * message naming the key ("app.limiter.permits must be at least 1; got 0") instead of misbehaving later.
 */
public final class ConfigValues {
    private ConfigValues() {
    }

    /** The integer at {@code node}, or {@code dflt} when absent; must be {@code >= min}. */
    public static int intAtLeast(Config node, int min, int dflt) {
        int value = node.asInt().orElse(dflt);
        if (value < min) {
            throw new ConfigException(node.key() + " must be at least " + min + "; got " + value);
        }
        return value;
    }

    /** The ISO-8601 duration at {@code node} (e.g. {@code PT1S}, {@code PT0.5S}), or {@code dflt}; never negative. */
    public static Duration duration(Config node, Duration dflt) {
        Duration value = node.as(Duration.class).orElse(dflt);
        if (value.isNegative()) {
            throw new ConfigException(node.key() + " must not be negative; got " + value);
        }
        return value;
    }
}
