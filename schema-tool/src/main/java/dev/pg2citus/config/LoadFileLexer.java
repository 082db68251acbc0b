package dev.pg2citus.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tokens of a pgloader command file: words (keywords, bare names, numbers), {@code "quoted
 * names"}, {@code 'strings'}, {@code ~/regular expressions/} (any delimiter, brackets paired),
 * {@code $$ … $$} and {@code $tag$ … $tag$} blocks, and the punctuation {@code , ; = . ( )}.
 * {@code --} and {@code /* *}{@code /} comments are skipped. Each token knows its line and column.
 */
final class LoadFileLexer {
  enum Kind { WORD, NAME, STRING, REGEX, BLOCK, PUNCT, END }

  /** One token: its text (unquoted for names, strings, regular expressions and blocks) and where it starts. */
  record Token(Kind kind, String text, int line, int column, int start, int end) {
    boolean is(String word) {
      return kind == Kind.WORD && text.equalsIgnoreCase(word);
    }

    boolean isPunct(String punct) {
      return kind == Kind.PUNCT && text.equals(punct);
    }

    String lower() {
      return text.toLowerCase(Locale.ROOT);
    }

    /** How a message shows it. */
    String shown() {
      return switch (kind) {
        case END -> "the end of the file";
        case NAME -> "\"" + text + "\"";
        case STRING -> "'" + text + "'";
        case REGEX -> "a regular expression";
        case BLOCK -> "a $$ block";
        default -> "'" + text + "'";
      };
    }
  }

  private final String text;
  private final String origin;
  private int pos;
  private int line = 1;
  private int lineStart;
  private final List<Token> ahead = new ArrayList<>();

  LoadFileLexer(String text, String origin) {
    this.text = text;
    this.origin = origin;
  }

  Token peek() {
    return peek(0);
  }

  /** The token {@code n} places ahead, without taking it. */
  Token peek(int n) {
    while (ahead.size() <= n) {
      ahead.add(lex());
    }
    return ahead.get(n);
  }

  Token next() {
    Token t = peek();
    ahead.remove(0);
    return t;
  }

  /** The source text between two offsets, blanks folded, for comments and messages. */
  String between(int start, int end) {
    return text.substring(start, end).replaceAll("\\s+", " ").strip();
  }

  /**
   * A connection string, read as it is up to the next blank (pgloader's URIs are not quoted; a
   * password may hold any other character), or a quoted one; a {@code ;} right after it ends the command.
   */
  Token uri() {
    if (!ahead.isEmpty()) {
      throw new IllegalStateException("a token was looked at before the connection string");
    }
    skipBlanks();
    if (pos < text.length() && text.charAt(pos) == '\'') {
      return lex();
    }
    int startLine = line;
    int column = pos - lineStart + 1;
    int start = pos;
    while (pos < text.length() && !Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
    int end = pos;
    if (end > start && text.charAt(end - 1) == ';') {
      end--;
      pos--;
    }
    if (end == start) {
      throw error(startLine, column, "expected a connection string (pgsql://user@host:port/dbname), got "
          + (pos >= text.length() ? "the end of the file" : "'" + text.charAt(pos) + "'"));
    }
    return new Token(Kind.STRING, text.substring(start, end), startLine, column, start, end);
  }

  ConfigException error(Token at, String problem) {
    return error(at.line(), at.column(), problem);
  }

  ConfigException error(int atLine, int atColumn, String problem) {
    return new ConfigException(new ConfigLocation(origin, atLine, atColumn, ""), problem);
  }

  private void skipBlanks() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '\n') {
        pos++;
        line++;
        lineStart = pos;
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else if (text.startsWith("--", pos)) {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else if (text.startsWith("/*", pos)) {
        int startLine = line;
        int column = pos - lineStart + 1;
        int close = text.indexOf("*/", pos + 2);
        if (close < 0) {
          throw error(startLine, column, "this /* comment is never closed with */");
        }
        advanceTo(close + 2);
      } else {
        return;
      }
    }
  }

  /** Moves to {@code target}, counting the lines on the way. */
  private void advanceTo(int target) {
    while (pos < target) {
      if (text.charAt(pos++) == '\n') {
        line++;
        lineStart = pos;
      }
    }
  }

  private Token lex() {
    skipBlanks();
    int startLine = line;
    int column = pos - lineStart + 1;
    int start = pos;
    if (pos >= text.length()) {
      return new Token(Kind.END, "", startLine, column, start, start);
    }
    char c = text.charAt(pos);
    if (c == '"' || c == '\'') {
      StringBuilder value = new StringBuilder();
      pos++;
      while (true) {
        if (pos >= text.length()) {
          throw error(startLine, column, "this " + (c == '"' ? "quoted name" : "string") + " is never closed with "
              + c);
        }
        char d = text.charAt(pos);
        if (d == c) {
          if (pos + 1 < text.length() && text.charAt(pos + 1) == c) {
            value.append(c);
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        if (d == '\n') {
          line++;
          lineStart = pos + 1;
        }
        value.append(d);
        pos++;
      }
      return new Token(c == '"' ? Kind.NAME : Kind.STRING, value.toString(), startLine, column, start, pos);
    }
    if (c == '~') {
      if (pos + 1 >= text.length()) {
        throw error(startLine, column, "expected a regular expression after ~, such as ~/^sales_/");
      }
      char open = text.charAt(pos + 1);
      char close = switch (open) {
        case '(' -> ')';
        case '[' -> ']';
        case '{' -> '}';
        case '<' -> '>';
        default -> open;
      };
      if (Character.isLetterOrDigit(open) || Character.isWhitespace(open)) {
        throw error(startLine, column, "expected a delimiter after ~, such as ~/^sales_/ or ~<^sales_>");
      }
      int end = text.indexOf(close, pos + 2);
      if (end < 0 || text.substring(pos, end).contains("\n")) {
        throw error(startLine, column, "this regular expression is never closed with " + close);
      }
      String value = text.substring(pos + 2, end);
      pos = end + 1;
      return new Token(Kind.REGEX, value, startLine, column, start, pos);
    }
    if (c == '$') {
      int tagEnd = text.indexOf('$', pos + 1);
      String tag = tagEnd < 0 ? null : text.substring(pos, tagEnd + 1);
      if (tag == null || !tag.matches("\\$[A-Za-z_]*\\$")) {
        throw error(startLine, column, "expected a $$ … $$ block");
      }
      int close = text.indexOf(tag, tagEnd + 1);
      if (close < 0) {
        throw error(startLine, column, "this " + tag + " block is never closed with " + tag);
      }
      String value = text.substring(tagEnd + 1, close);
      advanceTo(close + tag.length());
      return new Token(Kind.BLOCK, value, startLine, column, start, pos);
    }
    if (",;=.()".indexOf(c) >= 0) {
      pos++;
      return new Token(Kind.PUNCT, String.valueOf(c), startLine, column, start, pos);
    }
    if (isWordChar(c)) {
      while (pos < text.length() && isWordChar(text.charAt(pos)) && !text.startsWith("--", pos)) {
        pos++;
      }
      return new Token(Kind.WORD, text.substring(start, pos), startLine, column, start, pos);
    }
    throw error(startLine, column, "unexpected character '" + c + "'");
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '$';
  }
}
