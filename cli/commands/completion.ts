// `lssdc completion bash|zsh|fish`: a shell completion script for the commands, their subcommands and
// their options, read off each command's own usage text (so a new option completes without an edit
// here). Options complete after `-`; other words complete as file names (.lssd files first in zsh/fish).
import type { Command } from '../main.ts';
import { COMMANDS, load } from '../main.ts';
import { parseArgs, usageError } from '../args.ts';

const USAGE = `usage: lssdc completion bash|zsh|fish

Print a shell completion script for lssdc: commands, subcommands and options.
  bash:  eval "$(lssdc completion bash)"        (e.g. in ~/.bashrc)
  zsh:   eval "$(lssdc completion zsh)"         (in ~/.zshrc, after compinit)
  fish:  lssdc completion fish > ~/.config/fish/completions/lssdc.fish`;

export interface CommandInfo { name: string; summary: string; flags: string[]; subcommands: string[] }

/** Options (`--json`) and subcommands (an indented word under a `subcommands:` heading) in a usage text. */
export function usageInfo(c: Command): CommandInfo {
  const flags = [...new Set([...c.usage.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]))].sort();
  const subcommands: string[] = [];
  const m = /^subcommands:\n((?: {2}.*\n?)+)/m.exec(c.usage);
  if (m) for (const line of m[1].split('\n')) { const w = /^ {2}([a-z][a-z-]*)\b/.exec(line); if (w) subcommands.push(w[1]); }
  const fixed: Record<string, string[]> = { new: ['experiment'], completion: ['bash', 'zsh', 'fish'] };
  return { name: c.name, summary: c.summary, flags, subcommands: fixed[c.name] ?? subcommands };
}

export async function commandInfos(): Promise<CommandInfo[]> {
  const out: CommandInfo[] = [];
  for (const name of COMMANDS) { const c = await load(name); if (c) out.push(usageInfo(c)); }
  return out;
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function bashScript(cs: CommandInfo[]): string {
  const cases = cs.map((c) => `    ${c.name}) opts=${sq(c.flags.join(' '))}; subs=${sq(c.subcommands.join(' '))} ;;`).join('\n');
  return `# bash completion for lssdc: eval "$(lssdc completion bash)"
_lssdc() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" opts="" subs=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${sq(['help', ...cs.map((c) => c.name), '--help', '--version'].join(' '))} -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
    help) COMPREPLY=($(compgen -W ${sq(cs.map((c) => c.name).join(' '))} -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
  elif [ "$COMP_CWORD" -eq 2 ] && [ -n "$subs" ]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -o bashdefault -F _lssdc lssdc
`;
}

export function zshScript(cs: CommandInfo[]): string {
  const esc = (s: string) => s.replace(/[:'\\[\]]/g, (ch) => (ch === "'" ? "'\\''" : `\\${ch}`));
  const cases = cs.map((c) => {
    const specs = [...c.flags.map((f) => `'${f}'`), "'--help'"];
    if (c.subcommands.length) specs.push(`'1:subcommand:(${c.subcommands.join(' ')})'`);
    specs.push("'*:file:_files'");
    return `    ${c.name}) _arguments ${specs.join(' ')} ;;`;
  }).join('\n');
  return `#compdef lssdc
# zsh completion for lssdc: eval "$(lssdc completion zsh)" (after compinit)
_lssdc() {
  local -a commands
  commands=(
${cs.map((c) => `    '${c.name}:${esc(c.summary)}'`).join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'lssdc command' commands
    return
  fi
  shift words; (( CURRENT-- ))
  case "$words[1]" in
${cases}
    help) _describe -t commands 'lssdc command' commands ;;
    *) _files ;;
  esac
}
compdef _lssdc lssdc
`;
}

export function fishScript(cs: CommandInfo[]): string {
  const names = cs.map((c) => c.name).join(' ');
  const lines = [
    '# fish completion for lssdc: lssdc completion fish > ~/.config/fish/completions/lssdc.fish',
    'complete -c lssdc -e',
    `complete -c lssdc -n 'not __fish_seen_subcommand_from ${names} help' -f -a help -d 'show a command\\'s usage'`,
  ];
  for (const c of cs) {
    lines.push(`complete -c lssdc -n 'not __fish_seen_subcommand_from ${names} help' -f -a ${c.name} -d ${sq(c.summary)}`);
    for (const f of c.flags) lines.push(`complete -c lssdc -n '__fish_seen_subcommand_from ${c.name}' -l ${f.slice(2)}`);
    if (c.subcommands.length) lines.push(`complete -c lssdc -n '__fish_seen_subcommand_from ${c.name}' -f -a ${sq(c.subcommands.join(' '))}`);
  }
  lines.push(`complete -c lssdc -n '__fish_seen_subcommand_from help' -f -a ${sq(names)}`);
  return lines.join('\n') + '\n';
}

export const command: Command = {
  name: 'completion',
  summary: 'print a shell completion script (bash, zsh, fish)',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, {});
    if (typeof p === 'string') return usageError(args, USAGE, p);
    const [shell, ...extra] = p.positional;
    if (!shell) return usageError(args, USAGE, 'name the shell: bash, zsh or fish');
    if (extra.length) return usageError(args, USAGE, `unexpected argument '${extra[0]}'`);
    const make = { bash: bashScript, zsh: zshScript, fish: fishScript }[shell];
    if (!make) return usageError(args, USAGE, `unknown shell '${shell}'`, 'bash, zsh or fish');
    process.stdout.write(make(await commandInfos()));
    return 0;
  },
};
