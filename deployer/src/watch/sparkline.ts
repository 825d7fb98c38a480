// A chart of numbers in one line of text (replicas over time): one block character per value,
// its height the value's share of `max`.

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** The sparkline of `values` on a 0..max scale (max: at least the largest value). */
export function sparkline(values: number[], max = 0): string {
  const top = Math.max(max, ...values, 1);
  return values
    .map(
      (value) =>
        BLOCKS[Math.min(BLOCKS.length - 1, Math.round((value / top) * (BLOCKS.length - 1)))],
    )
    .join('');
}
