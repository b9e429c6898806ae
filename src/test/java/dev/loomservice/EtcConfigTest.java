package dev.loomservice;

import java.nio.file.Path;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** etc/application.yaml documents the defaults; this keeps it honest. */
class EtcConfigTest {
    @Test
    void etcFileStatesExactlyTheDefaultsInCode() {
        Config etc = Config.just(ConfigSources.file(Path.of("etc", "application.yaml")));
        assertThat(Settings.from(etc.get("app")), is(Settings.from(Config.empty())));
        Config classpath = Config.just(ConfigSources.classpath("application.yaml"));
        assertThat(etc.get("server").asMap().orElseThrow(), is(classpath.get("server").asMap().orElseThrow()));
    }
}
