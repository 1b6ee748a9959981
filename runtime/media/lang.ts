// Language tags: containers carry ISO 639-2 (`eng`, `spa`, `fre`/`fra`…); the spec uses ISO 639-1 (`en`).
// `zxx` ("no linguistic content") marks the speech-removed stem and is kept as is.
const ISO2_TO_1: Record<string, string> = {
  eng: 'en', spa: 'es', fra: 'fr', fre: 'fr', jpn: 'ja', deu: 'de', ger: 'de', ita: 'it', kor: 'ko',
  por: 'pt', rus: 'ru', zho: 'zh', chi: 'zh', cmn: 'zh', hin: 'hi', ara: 'ar', nld: 'nl', dut: 'nl',
  swe: 'sv', pol: 'pl', tur: 'tr', dan: 'da', nor: 'no', nob: 'nb', nno: 'nn', fin: 'fi', ces: 'cs',
  cze: 'cs', hun: 'hu', ell: 'el', gre: 'el', heb: 'he', tha: 'th', vie: 'vi', ind: 'id', ukr: 'uk',
  ron: 'ro', rum: 'ro', cat: 'ca', tam: 'ta', tel: 'te', msa: 'ms', may: 'ms', fil: 'tl', tgl: 'tl',
  ben: 'bn', urd: 'ur', fas: 'fa', per: 'fa', bul: 'bg', hrv: 'hr', srp: 'sr', slk: 'sk', slo: 'sk',
  slv: 'sl', est: 'et', lav: 'lv', lit: 'lt', isl: 'is', ice: 'is', glg: 'gl', eus: 'eu', baq: 'eu',
  mal: 'ml', kan: 'kn', mar: 'mr', pan: 'pa', guj: 'gu', zul: 'zu', afr: 'af', swa: 'sw', yue: 'zh',
};

export const SPEECH_REMOVED = 'zxx';

/** Normalises a container language tag to ISO 639-1; returns null for missing/`und`/unknown tags. */
export function normaliseLanguage(tag: string | undefined | null): string | null {
  if (!tag) return null;
  const t = tag.trim().toLowerCase().split(/[-_]/)[0];
  if (!t || t === 'und' || t === 'mul' || t === 'mis') return null;
  if (t === SPEECH_REMOVED) return SPEECH_REMOVED;
  if (t.length === 2) return t;
  return ISO2_TO_1[t] ?? null;
}
