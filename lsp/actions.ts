// Quick fixes: the diagnostic catalog's hints that name a replacement for the diagnosed text
// ("did you mean 'policy'?", "add a unit, e.g. `3s`", "write `12 epochs` or `12 steps`",
// "quote it: "x"", "drop the unit 's'", "swap the bounds"). Other hints stay advice.

export interface Fix { title: string; newText: string }

/** Replacements for the diagnosed text `text`, read off the diagnostic's hint. */
export function fixesFor(hint: string | undefined, text: string): Fix[] {
  if (!hint) return [];
  let m = /did you mean '([^']+)'\?/.exec(hint);
  if (m) return [{ title: `Change to '${m[1]}'`, newText: m[1] }];
  m = /^add a unit, e\.g\. `([^`]+)`/.exec(hint);
  if (m) return [{ title: `Write \`${m[1]}\``, newText: m[1] }];
  m = /^write `([^`]+)` or `([^`]+)`$/.exec(hint);
  if (m) return [{ title: `Write \`${m[1]}\``, newText: m[1] }, { title: `Write \`${m[2]}\``, newText: m[2] }];
  m = /^quote it: (".*")$/.exec(hint);
  if (m) return [{ title: `Quote it: ${m[1]}`, newText: m[1] }];
  m = /^drop the unit '(.+)'$/.exec(hint);
  if (m && text.endsWith(m[1])) return [{ title: `Drop the unit '${m[1]}'`, newText: text.slice(0, text.length - m[1].length).trimEnd() }];
  if (hint === 'swap the bounds') {
    const parts = text.split('..');
    if (parts.length === 2) return [{ title: 'Swap the bounds', newText: `${parts[1].trim()} .. ${parts[0].trim()}` }];
  }
  return [];
}
