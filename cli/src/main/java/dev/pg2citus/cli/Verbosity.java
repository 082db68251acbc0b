package dev.pg2citus.cli;

import org.slf4j.LoggerFactory;

/** {@code --verbose}: pg2citus' own log at DEBUG, every statement with it. */
final class Verbosity {
  private Verbosity() {}

  static void verbose() {
    try {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.pg2citus"))
          .setLevel(ch.qos.logback.classic.Level.DEBUG);
    } catch (NoClassDefFoundError | ClassCastException e) {
      // Not logback (the job jar under Flink's client): that logging's own configuration decides.
    }
  }
}
