package dev.loomservice.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import dev.loomservice.ServiceProcess;
import dev.loomservice.TestServer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The HTTPS listener, with a self-signed certificate made at test time (keytool; openssl for PEM). */
class TlsIT {
    private static final String PASS = "test-only-pass";
    @TempDir
    static Path dir;
    private static Path keystore;
    private static Path certificate;

    @BeforeAll
    static void makeCertificate() throws Exception {
        keystore = dir.resolve("server.p12");
        certificate = dir.resolve("server.crt");
        run(keytool(), "-genkeypair", "-alias", "loom", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
            "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASS);
        run(keytool(), "-exportcert", "-rfc", "-alias", "loom", "-keystore", keystore.toString(),
            "-storepass", PASS, "-file", certificate.toString());
    }

    @Test
    void keystoreListenerServesTheSameRoutesOverTls13AndTls12() throws Exception {
        try (TestServer server = TestServer.start(keystoreConfig())) {
            URI https = URI.create("https://localhost:" + server.port("https") + "/greet/tls");
            HttpResponse<String> v13 = client(certificate, "TLSv1.3").send(get(https), HttpResponse.BodyHandlers.ofString());
            assertThat(v13.body(), is("Hello, tls!"));
            assertThat(v13.sslSession().orElseThrow().getProtocol(), is("TLSv1.3"));
            HttpResponse<String> v12 = client(certificate, "TLSv1.2").send(get(https), HttpResponse.BodyHandlers.ofString());
            assertThat(v12.body(), is("Hello, tls!"));
            assertThat(v12.sslSession().orElseThrow().getProtocol(), is("TLSv1.2"));
            assertThat("the plain listener still serves", server.http().get("/").body(), is("Hello, World!"));
        }
    }

    @Test
    void tls11AndOlderAreRefused() throws Exception {
        try (TestServer server = TestServer.start(keystoreConfig())) {
            String at = "127.0.0.1:" + server.port("https");
            // SECLEVEL=0 lets OpenSSL itself offer TLS 1.1; the control shows the same tool connects with 1.2
            Result v12 = openssl("s_client", "-connect", at, "-tls1_2", "-cipher", "DEFAULT@SECLEVEL=0");
            assertThat(v12.output(), v12.code(), is(0));
            assertThat(v12.output(), containsString("Protocol  : TLSv1.2"));
            Result v11 = openssl("s_client", "-connect", at, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
            assertThat(v11.output(), v11.code(), not(is(0)));
            assertThat("the server's alert 70", v11.output(), containsString("alert protocol version"));
            assertThat(v11.output(), containsString("Cipher is (NONE)"));
        }
    }

    @Test
    void pemCertificateAndKeyWork() throws Exception {
        Path cert = dir.resolve("pem-cert.pem");
        Path key = dir.resolve("pem-key.pem");
        Result made = openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                              "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
                              "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        assertThat(made.output(), made.code(), is(0));
        Map<String, String> config = Map.of("app.tls.enabled", "true", "app.tls.port", "0",
                                            "app.tls.certificate", cert.toString(), "app.tls.private-key", key.toString());
        try (TestServer server = TestServer.start(config)) {
            URI https = URI.create("https://localhost:" + server.port("https") + "/");
            assertThat(client(cert, "TLSv1.3").send(get(https), HttpResponse.BodyHandlers.ofString()).body(),
                       is("Hello, World!"));
        }
    }

    @Test
    void unreadableKeystoreStopsStartupWithExitCode2() {
        try (ServiceProcess service = ServiceProcess.start(
                List.of("-Dserver.port=0", "-Dapp.tls.enabled=true", "-Dapp.tls.keystore=/no/such.p12"), List.of())) {
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(2));
            assertThat(service.output(), containsString("app.tls: cannot read /no/such.p12"));
        }
    }

    private static Map<String, String> keystoreConfig() {
        return Map.of("app.tls.enabled", "true", "app.tls.port", "0", "app.tls.keystore", keystore.toString(),
                      "app.tls.keystore-passphrase", PASS);
    }

    /** A client that trusts exactly {@code cert} and speaks only {@code protocol}. */
    private static HttpClient client(Path cert, String protocol) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).sslParameters(new SSLParameters(null, new String[] {protocol}))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
    }

    private record Result(int code, String output) {
    }

    private static Result openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                Path.of("/dev/null").toFile())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish; output:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }
}
