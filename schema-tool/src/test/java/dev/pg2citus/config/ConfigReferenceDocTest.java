package dev.pg2citus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration reference is the one the option definitions generate. */
class ConfigReferenceDocTest {
  @Test
  void readmeReferenceMatchesTheDefinitions() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String start = "<!-- config-reference:start -->\n";
    String section = readme.substring(readme.indexOf(start) + start.length(),
        readme.indexOf("<!-- config-reference:end -->"));
    assertEquals(ConfigOptions.markdownReference(), section,
        "README.md is out of date: paste the output of `scripts/pg2citus config-reference`");
  }
}
