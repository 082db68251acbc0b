package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.LocalPostgres;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS settings pass through to pgjdbc, from the URL and from {@code source.properties}, against a
 * source that accepts TLS connections only (pg_hba.conf has {@code hostssl} lines and no {@code host}
 * line) and presents a certificate the test made with openssl: {@code sslmode=require} connects,
 * {@code verify-full} with the right root certificate connects, and a wrong or missing root
 * certificate, or no TLS at all, is refused before anything is written, saying why.
 */
class TlsTest {
  private static final String ITEMS = """
      CREATE TABLE items (id integer PRIMARY KEY, payload text NOT NULL);
      INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, 5000) i;
      """;

  /** The server is this class's own: one source database per test. */
  private static final AtomicInteger SOURCES = new AtomicInteger();
  private static Path certs;
  private static LocalPostgres server;

  @BeforeAll
  static void serverThatRequiresTls() throws Exception {
    assertTrue(openssl(Path.of("."), "version"), "openssl is needed to make the certificates");
    certs = Files.createTempDirectory("pg2citus-tls");
    Files.setPosixFilePermissions(certs, PosixFilePermissions.fromString("rwxr-xr-x"));
    selfSigned("server", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    selfSigned("other", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    Path hba = Files.writeString(certs.resolve("pg_hba.conf"), """
        local all all trust
        hostssl all all 127.0.0.1/32 trust
        """);
    forTheServer(certs.resolve("server.key"), certs.resolve("server.crt"), hba);
    server = LocalPostgres.builder().withSetting("ssl", "on")
        .withSetting("ssl_cert_file", certs.resolve("server.crt").toString())
        .withSetting("ssl_key_file", certs.resolve("server.key").toString())
        .withSetting("hba_file", hba.toString())
        .start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (certs != null) {
      try (Stream<Path> files = Files.walk(certs)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  @Test
  void sslmodeRequireInTheUrlConnects() throws Exception {
    assertMigrated("?sslmode=require", Map.of());
  }

  @Test
  void verifyFullWithTheServersRootCertificateConnects() throws Exception {
    assertMigrated("", Map.of("sslmode", "verify-full", "sslrootcert", certs.resolve("server.crt").toString()));
  }

  @Test
  void verifyFullWithAnotherRootCertificateIsRefusedSayingWhy() throws Exception {
    String message = refused("", Map.of("sslmode", "verify-full", "sslrootcert",
        certs.resolve("other.crt").toString()));
    assertTrue(message.contains("SSL error") || message.contains("PKIX path"), message);
  }

  @Test
  void verifyFullWithoutTheRootCertificateFileIsRefusedSayingWhy() throws Exception {
    Path missing = certs.resolve("missing.crt");
    String message = refused("", Map.of("sslmode", "verify-full", "sslrootcert", missing.toString()));
    assertTrue(message.contains(missing.toString()), message);
  }

  @Test
  void noTlsIsRefusedByTheServerSayingWhy() throws Exception {
    String message = refused("?sslmode=disable", Map.of());
    assertTrue(message.contains("no pg_hba.conf entry") && message.contains("no encryption"), message);
  }

  private static void assertMigrated(String urlParameters, Map<String, String> properties) throws Exception {
    String src = source();
    String dst = TestPostgres.freshDatabase("tls_dst");
    MigrationSummary summary = Migrations.run(config(src, urlParameters, properties, dst));
    assertTrue(summary.ok(), summary::render);
    assertEquals(5000, TestPostgres.scalar(dst, "SELECT count(*) FROM items"));
    try (Connection c = server.connect(src)) {
      assertEquals(List.of("t"), TestPostgres.rows(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
          "the test's own connection uses TLS too, as the server allows nothing else");
    }
  }

  /** The message of a run refused before it wrote anything; it names the source. */
  private static String refused(String urlParameters, Map<String, String> properties) throws Exception {
    String src = source();
    String dst = TestPostgres.freshDatabase("tls_dst");
    SQLException e = assertThrows(SQLException.class,
        () -> Migrations.run(config(src, urlParameters, properties, dst)));
    assertTrue(e.getMessage().startsWith("cannot connect to jdbc:postgresql://127.0.0.1:" + server.port() + "/" + src),
        e.getMessage());
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_class WHERE relname = 'items'"),
        "nothing written");
    return e.getMessage();
  }

  private static String source() throws SQLException {
    String name = "tls_src_" + SOURCES.incrementAndGet();
    server.createDatabase(name);
    try (Connection c = server.connect(name); Statement st = c.createStatement()) {
      st.execute(ITEMS);
    }
    return name;
  }

  private static MigrationConfig config(String src, String urlParameters, Map<String, String> properties,
      String dst) {
    StringBuilder props = new StringBuilder();
    properties.forEach((k, v) -> props.append(props.length() == 0 ? "" : ", ").append(k).append(": '").append(v)
        .append('\''));
    String yaml = "source:\n  url: '" + server.jdbcUrl(src) + urlParameters + "'\n  user: " + server.user() + "\n"
        + (properties.isEmpty() ? "" : "  properties: { " + props + " }\n")
        + "target:\n  url: '" + TestPostgres.jdbcUrl(dst) + "'\n  user: " + TestPostgres.user()
        + "\n  plain-postgresql: true\nload:\n  partitions-per-table: 2\n";
    return new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "tls.yaml", ConfigLoader.Overrides.none());
  }

  /** A self-signed certificate {@code name.crt} and its key {@code name.key} for 127.0.0.1. */
  private static void selfSigned(String name, String extension) throws Exception {
    assertTrue(openssl(certs, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        "/CN=127.0.0.1", "-addext", extension, "-keyout", name + ".key", "-out", name + ".crt"),
        "openssl made " + name + ".crt");
  }

  private static boolean openssl(Path dir, String... args) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(Stream.concat(Stream.of("openssl"), Arrays.stream(args)).toList()).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      return false; // no openssl on PATH
    }
    p.getInputStream().transferTo(OutputStream.nullOutputStream());
    return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  /**
   * The server reads its key only if it is the key's owner and nobody else may read it; as root,
   * LocalPostgres runs the server as the OS user postgres, who must own the files then.
   */
  private static void forTheServer(Path key, Path... readable) throws IOException {
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    for (Path file : readable) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
    if (System.getProperty("user.name").equals("root")) {
      UserPrincipal postgres = key.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(key, postgres);
    }
  }
}
