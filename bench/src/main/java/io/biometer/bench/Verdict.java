package io.biometer.bench;

/** What a row of the bench table says about its target. */
public enum Verdict {
  /** The figure meets its target. */
  MEETS("meets"),
  /** The figure misses its target: reported, the bench still succeeds. */
  MISSES("misses"),
  /** A correctness check failed (loss, duplicates, a void run): the bench exits non-zero. */
  FAILS("FAILS"),
  /** The row has a target but too few paired rounds for a verdict. */
  NO_VERDICT("no verdict"),
  /** The row has no target: a figure for reference. */
  NONE("");

  private final String label;

  Verdict(String label) {
    this.label = label;
  }

  /** The word printed in the table. */
  public String label() {
    return label;
  }

  /** MEETS if {@code ok}, else MISSES. */
  public static Verdict of(boolean ok) {
    return ok ? MEETS : MISSES;
  }
}
