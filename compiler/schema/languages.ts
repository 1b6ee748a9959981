// ISO 639-1 language codes (all 183 two-letter codes). Written uppercase in .lssd (`EN`), resolved
// lowercase (`en`). The paper's seven languages are EN ES FR JA DE IT KO.
const CODES = `aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv
ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn
no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te
tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu`;

export const LANGUAGES: ReadonlySet<string> = new Set(CODES.split(/\s+/).filter(Boolean));

/** The paper's universal set U (Table 1). */
export const PAPER_LANGUAGES = ['en', 'es', 'fr', 'ja', 'de', 'it', 'ko'] as const;

export const isLanguage = (code: string): boolean => LANGUAGES.has(code);

/** Country codes and other frequent slips, mapped to the ISO 639-1 language meant (for hints). */
export const LANGUAGE_SLIPS: Record<string, string> = {
  sp: 'es', jp: 'ja', ge: 'de', gr: 'el', kr: 'ko', cn: 'zh', dk: 'da', se: 'sv', ua: 'uk', cz: 'cs',
  br: 'pt', us: 'en', uk: 'en', gb: 'en', in: 'hi', il: 'he', ir: 'fa', vn: 'vi', at: 'de', ch: 'de',
};
