// Feasibility of an experiment on a catalog (docs/language.md §4.6): which titles and shots its
// filters admit, their average number of dubs, the languages present. Pure: the titles reach the
// compiler through CompilerHost.catalogTitles (an indexed library, a catalog file, or the synthetic
// corpus's title plan). runtime/media/ensure.ts filters with the same functions, so `check` predicts
// exactly what `run` will train on.
import type { Span } from '../grammar/ast.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { ResolvedSpec } from './spec.ts';
import { DATA, M, diag } from './messages.ts';

/** What feasibility needs of a catalog title; runtime/contracts.ts `CatalogTitle` is one. */
export interface ListedTitle {
  originalLanguage: string;
  kind: 'movie' | 'episode';
  video: unknown | null;
  audio: { stream: number; language: string; role: 'original' | 'dub' | 'speech_removed' }[];
  shots: { start: number; end: number }[];
}

export interface CatalogListing {
  /** Where the titles were read (a catalog file, a directory's index, "synthetic corpus plan"). */
  source: string;
  titles: ListedTitle[];
}

export interface FilterCounts {
  language: number; dubs: number; dubLanguages: number; content: number; missingPrimary: number; noSpeechRemoved: number; noVideo: number;
}

/** Language tag of the speech-removed stem (SEP), as the ingest writes it. */
export const SPEECH_REMOVED_LANG = 'zxx';

export const dubCount = (t: Pick<ListedTitle, 'audio'>): number => t.audio.filter((a) => a.role === 'dub').length;

/** True when the title has a dub track in language `l`. */
export const hasDub = (t: Pick<ListedTitle, 'audio'>, l: string): boolean => t.audio.some((a) => a.role === 'dub' && a.language === l);

/** a_p's track: the speech-removed stem (SEP), the original-language track, or a fixed language's. */
export function primaryTrackOf(t: ListedTitle, spec: ResolvedSpec): { stream: number; lang: string } | null {
  if (spec.views.audio.source === 'speech_removed') {
    const a = t.audio.find((x) => x.role === 'speech_removed');
    return a ? { stream: a.stream, lang: SPEECH_REMOVED_LANG } : null;
  }
  const p = spec.dubs.primary;
  const a = p === 'original'
    ? t.audio.find((x) => x.role === 'original') ?? t.audio.find((x) => x.role !== 'speech_removed' && x.language === t.originalLanguage)
    : t.audio.find((x) => x.role !== 'speech_removed' && x.language === p);
  return a ? { stream: a.stream, lang: a.language } : null;
}

/** The spec's title filters, in order; counts what each removed. */
export function filterListedTitles<T extends ListedTitle>(titles: T[], spec: ResolvedSpec): { kept: T[]; dropped: FilterCounts } {
  const f = spec.data.filters;
  const dropped: FilterCounts = { language: 0, dubs: 0, dubLanguages: 0, content: 0, missingPrimary: 0, noSpeechRemoved: 0, noVideo: 0 };
  const needVideo = spec.model.modality === 'cross_modal';
  const kept = titles.filter((t) => {
    const ol = t.originalLanguage;
    if ((f.original_language.include !== 'all' && !f.original_language.include.includes(ol)) || f.original_language.exclude.includes(ol)) { dropped.language++; return false; }
    const n = dubCount(t);
    if (n < f.dubs.min || (f.dubs.max !== null && n > f.dubs.max)) { dropped.dubs++; return false; }
    if (f.dub_languages && !f.dub_languages.every((l) => hasDub(t, l))) { dropped.dubLanguages++; return false; }
    if (!f.content.includes(t.kind)) { dropped.content++; return false; }
    if (needVideo && !t.video) { dropped.noVideo++; return false; }
    if (spec.views.audio.source === 'speech_removed' && !t.audio.some((a) => a.role === 'speech_removed')) { dropped.noSpeechRemoved++; return false; }
    if (primaryTrackOf(t, spec) === null) { dropped.missingPrimary++; return false; }
    return true;
  });
  return { kept, dropped };
}

export interface Feasibility {
  titles: number;
  /** Titles passing the filters that keep at least one shot within the shot bounds. */
  keptTitles: number;
  shots: number;
  /** Shots within bounds of the kept titles, before the budget. */
  keptShots: number;
  avgDubs: number | null;
  /** Languages with an audio track in the kept titles (speech-removed stems excluded), sorted. */
  languages: string[];
  dropped: FilterCounts & { shortShots: number; longShots: number };
}

/** Everything `check` reports about one experiment on one catalog. */
export function feasibility(listing: CatalogListing, spec: ResolvedSpec): Feasibility {
  const { kept, dropped } = filterListedTitles(listing.titles, spec);
  const { min_length: min, max_length: max } = spec.data.shots;
  let shortShots = 0, longShots = 0, keptShots = 0, keptTitles = 0, dubs = 0;
  const languages = new Set<string>();
  for (const t of kept) {
    let n = 0;
    for (const s of t.shots) {
      const len = s.end - s.start;
      if (len < min - 1e-6) shortShots++; else if (len > max + 1e-6) longShots++; else n++;
    }
    if (n === 0) continue;
    keptTitles++; keptShots += n; dubs += dubCount(t);
    for (const a of t.audio) if (a.role !== 'speech_removed') languages.add(a.language);
  }
  return {
    titles: listing.titles.length, keptTitles, shots: listing.titles.reduce((a, t) => a + t.shots.length, 0), keptShots,
    avgDubs: keptTitles ? dubs / keptTitles : null, languages: [...languages].sort(),
    dropped: { ...dropped, shortShots, longShots },
  };
}

/**
 * For `fixed`, `round_robin` and `random` policies: how many admitted titles (with shots in bounds) lack
 * each named dub language, and the expected share of secondary views that fall back to a second
 * augmentation of the primary track (the sampler draws titles uniformly, so the mean over titles);
 * the run records the fraction it actually trained with. Null for `off`/`any` and SEP.
 */
export function fallbackTitles(listing: CatalogListing, spec: ResolvedSpec): { titles: number; byLanguage: { lang: string; titles: number }[]; fraction: number } | null {
  const { policy, languages } = spec.dubs;
  if (policy === 'off' || policy === 'any' || languages.length === 0 || spec.views.audio.source === 'speech_removed') return null;
  const { min_length: min, max_length: max } = spec.data.shots;
  const kept = filterListedTitles(listing.titles, spec).kept
    .map((t) => ({ t, n: t.shots.filter((s) => s.end - s.start >= min - 1e-6 && s.end - s.start <= max + 1e-6).length }))
    .filter((x) => x.n > 0);
  if (kept.length === 0) return null;
  const primaryLang = (t: ListedTitle) => primaryTrackOf(t, spec)?.lang;
  const has = (t: ListedTitle, l: string) => l !== primaryLang(t) && t.audio.some((a) => a.role !== 'speech_removed' && a.language === l);
  const byLanguage = languages.map((l) => ({ lang: l, titles: kept.filter((x) => !has(x.t, l)).length }));
  // fixed: L; round_robin: each language for 1/|L| of the steps; random: falls back only when none is present.
  const miss = (t: ListedTitle) => policy === 'random' ? (languages.some((l) => has(t, l)) ? 0 : 1)
    : policy === 'fixed' ? (has(t, languages[0]) ? 0 : 1) : languages.filter((l) => !has(t, l)).length / languages.length;
  const fraction = kept.reduce((a, x) => a + miss(x.t), 0) / kept.length;
  return { titles: kept.length, byLanguage: policy === 'fixed' ? byLanguage.slice(0, 1) : byLanguage, fraction };
}

/** The runtime's tolerance for `data.expected.avg_dubs` (runtime/media/ensure.ts warns beyond it). */
export const avgDubsAgrees = (actual: number, expected: number): boolean => Math.abs(actual - expected) <= 0.25 * Math.max(1, expected);

// ---- what `check` says about a bound catalog --------------------------------------------------

/** `synthetic(titles = 24, …)`, `index("DIR")`, `file("…")`: a catalog as it would be written. */
export function catalogText(c: ResolvedSpec['data']['catalog']): string {
  switch (c.kind) {
    case 'synthetic': {
      const knobs = [
        c.language_look !== undefined ? `language_look = ${c.language_look}` : '',
        c.content_scene !== undefined ? `content_scene = ${c.content_scene}` : '',
        c.language_voice !== undefined ? `language_voice = ${c.language_voice}` : '',
        c.speech_to_bed !== undefined ? `speech_to_bed = ${c.speech_to_bed}dB` : '',
        c.dubs_per_title ? `dubs = ${c.dubs_per_title.min} .. ${c.dubs_per_title.max}` : '',
        c.max_speakers !== undefined ? `speakers = ${c.max_speakers}` : '',
        c.probe_clips !== undefined ? `probe_clips = ${c.probe_clips}` : '',
      ].filter(Boolean).map((k) => `, ${k}`).join('');
      return `synthetic(titles = ${c.titles}, minutes = ${c.minutes_per_title}, seed = ${c.seed}, languages = [${c.languages.map((l) => l.toUpperCase()).join(', ')}]${knobs})`;
    }
    case 'index': return `index("${c.path}")`;
    case 'file': return `file("${c.path}")`;
    case 'external': return `external("${c.name}")`;
  }
}

const upper = (ls: string[]) => ls.map((l) => l.toUpperCase()).join(', ');

function filterText(spec: ResolvedSpec): string {
  const f = spec.data.filters;
  const ol = f.original_language;
  const parts = [`original_language ${ol.include === 'all' ? (ol.exclude.length ? `all except [${upper(ol.exclude)}]` : 'all') : `[${upper(ol.include)}]`}`];
  parts.push(`dubs ${f.dubs.min} ..${f.dubs.max === null ? '' : ` ${f.dubs.max}`}`);
  if (f.dub_languages) parts.push(`dubs in all of [${upper(f.dub_languages)}]`);
  if (f.content.length < 2) parts.push(`content [${f.content.join(', ')}]`);
  parts.push(`shots ${spec.data.shots.min_length}s .. ${spec.data.shots.max_length}s`);
  if (spec.dubs.primary !== 'original') parts.push(`primary ${spec.dubs.primary.toUpperCase()}`);
  if (spec.views.audio.source === 'speech_removed') parts.push('speech-removed stems');
  return parts.join(', ');
}

export interface BindingCheck {
  spec: ResolvedSpec;
  /** Where the binding is written (a flag, the project file's `bind(…)`, the profile's `catalog`). */
  at: Span;
  /** Where the experiment names the external catalog. */
  named?: Span;
  listing: CatalogListing | { missing: string };
}

/**
 * One info line per binding (LSSD2057) with what the experiment finds in the bound catalog, plus the
 * data diagnostics `run` would raise later: nothing left to train on (LSSD5012), titles without the
 * primary language (LSSD5013), dub languages absent (LSSD2034), and, for a catalog the user bound
 * (not a profile's stand-in, which is a different catalog by design), average dubs far from
 * `data.expected.avg_dubs` (LSSD2041).
 */
export function bindingDiagnostics(b: BindingCheck): Diagnostic[] {
  const { spec, at } = b;
  const by = spec.origin.catalog;
  const name = by?.name ?? '?';
  const who = spec.label !== spec.name ? `'${spec.name}' (${spec.label})` : `'${spec.name}'`;
  const how = by?.by === 'profile' ? `profile ${spec.origin.profile?.name ?? ''}'s stand-in for` : `bound by ${by?.by === 'flag' ? '--catalog' : 'lssd.project'} to`;
  const related = b.named ? [{ span: b.named, message: `'${spec.name}' names the catalog '${name}' here` }] : [];
  const catalog = catalogText(spec.data.catalog);
  if ('missing' in b.listing) {
    return [diag(M.catalogUnreadable, at, `${who} trains on ${catalog} (${how} '${name}'), whose titles cannot be read yet: ${b.listing.missing}`, { related })];
  }
  const f = feasibility(b.listing, spec);
  const out: Diagnostic[] = [];
  const exp = spec.data.expected.avg_dubs;
  const avg = f.avgDubs === null ? 'no titles' : `${f.avgDubs.toFixed(2)} dubs per title on average${exp !== null ? ` (expected ${exp})` : ''}`;
  out.push(diag(M.catalogBinding, at,
    `${who} trains on ${catalog} (${how} '${name}'): ` +
    `${f.keptTitles} of ${f.titles} titles and ${f.keptShots} of ${f.shots} shots pass its filters (${filterText(spec)}); ${avg}; languages ${f.languages.length ? upper(f.languages) : 'none'}`,
    { related }));
  if (f.keptShots === 0) {
    const d = f.dropped;
    const reasons = Object.entries({ 'original language': d.language, 'number of dubs': d.dubs, 'dub languages': d.dubLanguages, content: d.content, 'no video': d.noVideo, 'no speech-removed stem': d.noSpeechRemoved, 'no primary track': d.missingPrimary, 'shots too short': d.shortShots, 'shots too long': d.longShots })
      .filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
    out.push(diag(DATA.emptyDataset, at, `${who} has nothing to train on in ${catalog}: no title and shot passes its filters${reasons.length ? ` (dropped by ${reasons.join(', ')})` : ''}`,
      { related, hint: by?.by === 'profile' ? 'give the profile a catalog these filters admit titles of (more titles or languages)' : 'bind a catalog with titles these filters admit' }));
    return out;
  }
  if (f.dropped.missingPrimary > 0) {
    out.push(diag(DATA.missingPrimary, at, `${f.dropped.missingPrimary} title(s) of ${catalog} lack the primary audio '${spec.dubs.primary.toUpperCase()}' and are filtered out for ${who}`, { related }));
  }
  for (const l of spec.dubs.languages) {
    if (!f.languages.includes(l)) {
      out.push(diag(M.dubLanguageNotInCatalog, at, `dub language ${l.toUpperCase()} of ${who} has no track in the titles of ${catalog} it trains on`,
        { related, hint: 'samples without that dub fall back to a second augmentation of the primary track' }));
    }
  }
  const lacking = fallbackTitles(b.listing, spec);
  if (lacking) {
    const { policy } = spec.dubs;
    const each = lacking.byLanguage.filter((x) => x.titles > 0 && f.languages.includes(x.lang)).map((x) => `${x.titles} lack ${x.lang.toUpperCase()}`);
    if (each.length) {
      const pol = policy === 'fixed' ? `fixed(${upper(spec.dubs.languages)})` : `${policy}(${upper(spec.dubs.languages)})`;
      out.push(diag(M.dubLanguageMissingFromTitles, at,
        `${pol} of ${who}: of the ${lacking.titles} titles of ${catalog} it trains on, ${each.join(', ')}; about ${(100 * lacking.fraction).toFixed(1)}% of its secondary views fall back to a second augmentation of the primary track`,
        { related, hint: `admit only titles with every dub it uses: \`data.titles.dub_languages = [${upper(spec.dubs.languages)}]\` (language parity, as the controlled setup)` }));
    }
  }
  if (by?.by !== 'profile' && exp !== null && f.avgDubs !== null && !avgDubsAgrees(f.avgDubs, exp)) {
    out.push(diag(M.expectedStatsMismatch, at, `${who} expects ${exp} dubs per title on average (data.expected.avg_dubs), but the titles of ${catalog} it admits have ${f.avgDubs.toFixed(2)}`,
      { related, hint: 'the bound library differs from the catalog the experiment describes: results are not comparable to its published figures' }));
  }
  return out;
}
