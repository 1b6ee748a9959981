// The 10,000-cell grid that bench/grid.ts and bench/compile.ts both measure: 4 axes × 10 values over the
// paper preset, with one lineage rule, so their figures describe the same input.
const ten = (f: (i: number) => string) => Array.from({ length: 10 }, (_, i) => f(i)).join(', ');

export const GRID = `import "paper"
grid big extends paper_main {
  axis lambda_a = [${ten((i) => String(i / 10))}] -> loss.lambda_a
  axis lambda_v = [${ten((i) => String(i / 10))}] -> loss.lambda_v
  axis seed = [${ten((i) => String(i))}] -> optim.seed
  axis temperature = [${ten((i) => String(0.05 + i / 100))}] -> loss.temperature
  name = "c{#}"
  optim.duration = 1000 steps
  when { lambda_a = 0.1 } { init from cell(lambda_a = 0) }
}
`;
