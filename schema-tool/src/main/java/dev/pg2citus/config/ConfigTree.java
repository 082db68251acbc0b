package dev.pg2citus.config;

import java.util.List;
import java.util.Map;

/**
 * What a configuration reader produced, before the model is built from it: the options as one tree
 * (each node knowing where it was written), notes on options taken differently from pgloader, and
 * comments for {@code convert} to print beside the nodes they explain.
 *
 * @param root the sections ({@code source}, {@code target}, {@code load}…) as the YAML has them
 * @param notes how a pgloader command file's options were taken where pg2citus differs from pgloader
 * @param comments comments keyed by node (identity), empty for YAML
 */
public record ConfigTree(YamlNode root, List<String> notes, Map<YamlNode, String> comments) {
  public ConfigTree {
    notes = List.copyOf(notes);
  }
}
