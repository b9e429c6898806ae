package dev.loomservice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.helidon.common.config.Config;
import io.helidon.common.config.ConfigException;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;

/**
 * {@code app.tls}: an optional HTTPS listener beside the plain one, serving the same routes. The key and
 * certificate chain come from a PKCS#12 keystore ({@code keystore}, {@code keystore-passphrase}) or from PEM files
 * ({@code certificate}, {@code private-key}). Only TLS 1.3 and 1.2 are enabled.
 */
public record TlsSettings(boolean enabled, int port, Optional<Path> keystore, String keystorePassphrase,
                          Optional<Path> certificate, Optional<Path> privateKey) {
    /** The protocols offered: nothing older than TLS 1.2. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static TlsSettings from(Config tls) {
        TlsSettings s = new TlsSettings(tls.get("enabled").asBoolean().orElse(false),
                                        ConfigValues.intAtLeast(tls.get("port"), 0, 8443),
                                        path(tls.get("keystore")),
                                        tls.get("keystore-passphrase").asString().orElse(""),
                                        path(tls.get("certificate")),
                                        path(tls.get("private-key")));
        if (s.enabled()) {
            boolean pem = s.certificate().isPresent() && s.privateKey().isPresent();
            if (s.keystore().isEmpty() == !pem) {
                throw new ConfigException(tls.key() + ": give either keystore, or certificate and private-key");
            }
            for (Path p : List.of(s.keystore(), s.certificate(), s.privateKey()).stream().flatMap(Optional::stream).toList()) {
                if (!Files.isReadable(p)) {
                    throw new ConfigException(tls.key() + ": cannot read " + p);
                }
            }
        }
        return s;
    }

    /** Helidon's TLS configuration for these files. */
    public Tls tls() {
        Keys keys = keystore()
                .map(ks -> Keys.builder().keystore(k -> k.keystore(Resource.create(ks))
                        .passphrase(keystorePassphrase().toCharArray())).build())
                .orElseGet(() -> Keys.builder().pem(p -> p.key(Resource.create(privateKey().orElseThrow()))
                        .certChain(Resource.create(certificate().orElseThrow()))).build());
        return Tls.builder()
                .privateKey(keys.privateKey().orElseThrow(() -> new ConfigException("app.tls: no private key found")))
                .privateKeyCertChain(keys.certChain())
                .enabledProtocols(PROTOCOLS)
                .build();
    }

    private static Optional<Path> path(Config node) {
        return node.asString().asOptional().map(Path::of);
    }
}
