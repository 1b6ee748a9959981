// lssdc report: run directories → ReportModel → Handlebars (Markdown + self-contained HTML).
//   collect.ts  read spec.json, run.json, probes/<hash>/results.json, metrics.jsonl, embeddings/
//   model.ts    Table-2 style table (seeds merged, best per ablation group), run records, charts
//   svg.ts      inline SVG line and scatter charts;  pca.ts  2-D projection
//   render.ts   Handlebars templates (templates/report/), escaping, atomic writes
export { readRunDir, collectProgramRuns, readEmbeddings, runDirOf, type ReportRun } from './collect.ts';
export { buildReportModel, buildTable, type ReportModel } from './model.ts';
export { renderReport, writeReport, mdEscape, TEMPLATE_DIR } from './render.ts';
export { pca } from './pca.ts';
export { lineChart, scatter, esc } from './svg.ts';
