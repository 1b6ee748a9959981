// CompilerHost.catalogTitles for the CLI: the titles of a bound catalog, read without indexing or
// rendering anything, so `lssdc check` can say what an experiment will find in it
// (compiler/feasibility.ts). Loaded only when a profile or a binding is in play.
//   synthetic(…)  the corpus's title plan (runtime/media/synth/plan.ts): the same languages, dubs,
//                 kinds and shots `lssdc data synth` renders, in microseconds per title
//   index("DIR")  the catalog `lssdc data index DIR` wrote under <root>/catalogs/ (same cut settings)
//   file("F")     the catalog file itself
import { existsSync } from 'node:fs';
import type { CompilerHost } from '../compiler/host.ts';
import type { CatalogListing, ListedTitle } from '../compiler/feasibility.ts';
import { catalogKey, catalogPaths, DEFAULT_THRESHOLD, readCatalog } from './media/index.ts';
import { planTitle } from './media/synth/plan.ts';
import type { SynthLang } from './media/synth/bank.ts';
import { knobsOfCatalog } from './media/synth/knobs.ts';

export function catalogLister(root: string): NonNullable<CompilerHost['catalogTitles']> {
  return (catalog, cuts) => {
    if (catalog.kind === 'synthetic') {
      const titles: ListedTitle[] = [];
      for (let index = 0; index < catalog.titles; index++) {
        const p = planTitle({ seed: catalog.seed, index, minutesPerTitle: catalog.minutes_per_title, languages: catalog.languages as SynthLang[], knobs: knobsOfCatalog(catalog) });
        // Track layout as runtime/media/synth/render.ts writes it: original, dubs, then the speech-removed stem.
        const langs = [p.originalLanguage, ...p.dubs];
        titles.push({
          originalLanguage: p.originalLanguage, kind: p.kind, video: { planned: true },
          audio: [
            ...langs.map((l, i) => ({ stream: i + 1, language: l as string, role: (i === 0 ? 'original' : 'dub') as 'original' | 'dub' })),
            { stream: langs.length + 1, language: 'zxx', role: 'speech_removed' as const },
          ],
          shots: p.shots.map((s) => ({ start: s.start, end: s.end })),
        });
      }
      return { source: 'the synthetic corpus plan', titles } satisfies CatalogListing;
    }
    if (catalog.kind === 'external') return { missing: `'${catalog.name}' exists only at paper scale` };
    // `lssdc data index --method sidecar` keys its catalog with the default threshold; a spec's sidecar cuts carry 0.
    const keyed = (t: number) => catalogPaths(root, catalogKey(catalog.path, cuts.method, t)).jsonl;
    const path = catalog.kind === 'file' ? catalog.path : [keyed(cuts.threshold), keyed(DEFAULT_THRESHOLD)].find((p) => existsSync(p)) ?? keyed(cuts.threshold);
    if (!existsSync(path)) {
      return { missing: catalog.kind === 'file' ? `no such catalog file ${path}` : `${catalog.path} is not indexed yet (with ${cuts.method} cuts): run \`lssdc data index ${catalog.path}${cuts.method === 'sidecar' ? ' --method sidecar' : ''}\`` };
    }
    try {
      return { source: path, titles: readCatalog(path) };
    } catch (e) {
      return { missing: `cannot read ${path}: ${(e as Error).message}` };
    }
  };
}
