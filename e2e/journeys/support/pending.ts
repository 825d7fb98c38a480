// A journey step that cannot run on a target is pending, never silently skipped: the reason
// goes into the test's title (every reporter shows it) and onto the console.

/** Marks the running test pending because of `reason`; never returns. */
export function pendingBecause(context: Mocha.Context, reason: string): never {
  if (context.test !== undefined) context.test.title += ` (pending: ${reason})`;
  console.log(`      pending: ${reason}`);
  context.skip();
}
