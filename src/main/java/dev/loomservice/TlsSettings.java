package dev.loomservice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import dev.loomservice.config.ConfigValues;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;

/**
 * {@code app.tls}: an optional HTTPS listener beside the plain one, serving the same routes. The key and
 * certificate chain come from a PKCS#12 keystore ({@code keystore}, {@code keystore-passphrase}, and
 * {@code key-alias} when it holds more than one key) or from PEM files
 * ({@code certificate}, {@code private-key}). Only TLS 1.3 and 1.2 are enabled.
 */
public record TlsSettings(boolean enabled, int port, Optional<Path> keystore, String keystorePassphrase,
                          Optional<String> keyAlias, Optional<Path> certificate, Optional<Path> privateKey) {
    /** The protocols offered: nothing older than TLS 1.2. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static TlsSettings from(Config tls) {
        TlsSettings s = new TlsSettings(tls.get("enabled").asBoolean().orElse(false),
                                        ConfigValues.intAtLeast(tls.get("port"), 0, 8443),
                                        path(tls.get("keystore")),
                                        tls.get("keystore-passphrase").asString().orElse(""),
                                        tls.get("key-alias").asString().asOptional(),
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
                .map(ks -> {
                    String alias = keyAlias().orElseGet(() -> onlyKeyAlias(ks));
                    return Keys.builder().keystore(k -> k.keystore(Resource.create(ks))
                            .passphrase(keystorePassphrase().toCharArray())
                            .keyAlias(alias)
                            .certChainAlias(alias)).build();
                })
                .orElseGet(() -> Keys.builder().pem(p -> p.key(Resource.create(privateKey().orElseThrow()))
                        .certChain(Resource.create(certificate().orElseThrow()))).build());
        return Tls.builder()
                .privateKey(keys.privateKey().orElseThrow(() -> new ConfigException("app.tls: no private key found")))
                .privateKeyCertChain(keys.certChain())
                .enabledProtocols(PROTOCOLS)
                .build();
    }

    /** The alias of the keystore's one key entry (Helidon would look for alias "1", OpenSSL's habit). */
    private String onlyKeyAlias(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, keystorePassphrase().toCharArray());
            List<String> keys = new ArrayList<>();
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            if (keys.size() != 1) {
                throw new ConfigException("app.tls: " + path + " holds " + keys.size()
                                                  + " keys; say which with app.tls.key-alias");
            }
            return keys.getFirst();
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("app.tls: cannot open keystore " + path + ": " + e.getMessage());
        }
    }

    private static Optional<Path> path(Config node) {
        return node.asString().asOptional().map(Path::of);
    }
}
