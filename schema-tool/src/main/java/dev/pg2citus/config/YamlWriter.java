package dev.pg2citus.config;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a tree of options as the YAML configuration that {@link ConfigLoader} reads back to the same
 * model ({@code pg2citus convert}), each value under the comment its reader gave it. Passwords are
 * never written: a URL's password becomes {@code ${SOURCE_PASSWORD}} or {@code ${TARGET_PASSWORD}};
 * without one, the loader takes {@code PGPASSWORD} from the YAML's environment as from the command file's.
 */
public final class YamlWriter {
  private static final Set<String> QUOTED_WORDS = Set.of("yes", "no", "on", "off", "y", "n", "null", "~");

  private YamlWriter() {}

  /**
   * The YAML for {@code tree}, headed by {@code original} (the command file's text, passwords
   * masked) as comments.
   */
  public static String write(ConfigTree tree, String origin, String original) {
    StringBuilder out = new StringBuilder();
    out.append("# Converted by `pg2citus convert` from ").append(origin).append(", which reads:\n#\n");
    original.strip().lines().forEach(l -> out.append(("#   " + ConnectionSpec.redact(l)).stripTrailing()).append('\n'));
    if (!tree.notes().isEmpty()) {
      out.append("#\n# What pg2citus does differently from pgloader here:\n");
      tree.notes().forEach(n -> out.append("#   - ").append(n).append('\n'));
    }
    out.append('\n');
    for (Map.Entry<String, YamlNode> section : tree.root().asMap().entrySet()) {
      entry(out, tree, section.getKey(), section.getValue(), "", section.getKey());
      out.append('\n');
    }
    return out.toString().stripTrailing() + "\n";
  }

  private static void entry(StringBuilder out, ConfigTree tree, String key, YamlNode node, String indent,
      String path) {
    comment(out, tree, node, indent);
    if (node.isScalar()) {
      String value = node.asString();
      String password = key.equals("url") ? ConnectionSpec.fromUrl(value).password() : null;
      if (password != null) {
        out.append(indent).append("url: ").append(scalar(withoutPassword(value), indent)).append('\n');
        String variable = path.startsWith("source") ? "SOURCE_PASSWORD" : "TARGET_PASSWORD";
        out.append(indent).append("# the command file's password is not written here: set ").append(variable)
            .append('\n');
        out.append(indent).append("password: ${").append(variable).append("}\n");
        return;
      }
      // Keys are quoted as values are: a schema name (rename.schemas) may be any text.
      out.append(indent).append(scalar(key, indent)).append(": ").append(scalar(value, indent)).append('\n');
    } else if (node.isMap()) {
      out.append(indent).append(scalar(key, indent)).append(":\n");
      node.asMap().forEach((k, v) -> entry(out, tree, k, v, indent + "  ", path + "." + k));
    } else {
      out.append(indent).append(key).append(":\n");
      for (YamlNode item : node.asList()) {
        comment(out, tree, item, indent + "  ");
        if (item.isScalar()) {
          out.append(indent).append("  - ").append(scalar(item.asString(), indent + "  ")).append('\n');
          continue;
        }
        String prefix = indent + "  - ";
        for (Map.Entry<String, YamlNode> field : item.asMap().entrySet()) {
          out.append(prefix).append(field.getKey()).append(": ")
              .append(scalar(field.getValue().asString(), indent + "    ")).append('\n');
          prefix = indent + "    ";
        }
      }
    }
  }

  private static void comment(StringBuilder out, ConfigTree tree, YamlNode node, String indent) {
    String comment = tree.comments().get(node);
    if (comment != null) {
      ConfigLocation at = node.location();
      String where = at.line() > 0 ? "line " + at.line() + ": " : "";
      out.append(indent).append("# ").append(where).append(ConnectionSpec.redact(comment)).append('\n');
    }
  }

  /** A scalar as YAML reads it back as the same text: plain where safe, quoted or a block otherwise. */
  static String scalar(String value, String indent) {
    if (value.contains("\n")) {
      StringBuilder block = new StringBuilder("|-");
      value.lines().forEach(l -> block.append('\n').append(l.isBlank() ? "" : indent + "  " + l));
      return block.toString();
    }
    boolean plain = value.matches("[A-Za-z0-9_][A-Za-z0-9_ .,/()+-]*") && !value.endsWith(" ")
        && !QUOTED_WORDS.contains(value.toLowerCase(Locale.ROOT));
    return plain ? value : "'" + value.replace("'", "''") + "'";
  }

  private static String withoutPassword(String url) {
    return url.replaceFirst("(//[^/:@\\s]*):\\S*@", "$1@");
  }
}
