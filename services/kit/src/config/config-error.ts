/** A configuration that does not parse: `message` is the single line to print before exiting. */
export class ConfigError extends Error {
  /** One entry per bad variable, e.g. `PORT must be an integer between 1 and 65535 (got "abc")`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`config: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
