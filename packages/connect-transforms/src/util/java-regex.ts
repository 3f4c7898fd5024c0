import { ConfigError } from '@tributary/connect-api';

/**
 * Java regular expressions on JavaScript's engine. The common syntax is shared; the differences that
 * show up in Connect configs are handled: leading inline flags `(?i)`, `\A` `\Z` `\z` anchors, and
 * possessive quantifiers (treated as greedy). `fullMatch` gives Java's `Matcher.matches()`.
 */
export function javaRegex(pattern: string, options: { fullMatch?: boolean; configKey?: string } = {}): RegExp {
  let body = pattern;
  let flags = 'u';
  const inline = /^\(\?([imsx]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    for (const f of inline[1]!) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  body = body
    .replace(/\\A/g, '^')
    .replace(/\\[Zz]/g, '$')
    .replace(/([*+?}])\+/g, '$1');
  try {
    return new RegExp(options.fullMatch ? `^(?:${body})$` : body, flags);
  } catch (e) {
    try {
      // Java accepts escapes that the u flag refuses (e.g. \_); retry without it.
      return new RegExp(options.fullMatch ? `^(?:${body})$` : body, flags.replace('u', ''));
    } catch {
      const key = options.configKey ?? 'regex';
      throw new ConfigError([
        { key, message: `Invalid value ${pattern} for configuration ${key}: ${(e as Error).message}` },
      ]);
    }
  }
}

/**
 * Java's `Matcher.replaceFirst(replacement)` semantics for the replacement text: `$n` and `${name}` are
 * groups (as many digits as form an existing group), a backslash quotes the next character.
 */
export function javaReplacement(match: RegExpExecArray, replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\') {
      i++;
      if (i < replacement.length) out += replacement[i];
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    if (replacement[i + 1] === '{') {
      const end = replacement.indexOf('}', i);
      const name = replacement.slice(i + 2, end);
      if (end < 0 || (match.groups?.[name] === undefined && !(name in (match.groups ?? {}))))
        throw new Error(`No group with name {${name}}`);
      out += match.groups![name] ?? '';
      i = end;
      continue;
    }
    let j = i + 1;
    if (!/\d/.test(replacement[j] ?? '')) throw new Error('Illegal group reference');
    let group = Number(replacement[j]);
    j++;
    while (j < replacement.length && /\d/.test(replacement[j]!) && group * 10 + Number(replacement[j]) < match.length) {
      group = group * 10 + Number(replacement[j]);
      j++;
    }
    if (group >= match.length) throw new Error(`No group ${group}`);
    out += match[group] ?? '';
    i = j - 1;
  }
  return out;
}

/** `input.replaceFirst(regex, replacement)` as Java does it. */
export function javaReplaceFirst(regex: RegExp, input: string, replacement: string): string {
  const r = new RegExp(regex.source, regex.flags.replace('g', ''));
  const m = r.exec(input);
  if (!m) return input;
  return input.slice(0, m.index) + javaReplacement(m, replacement) + input.slice(m.index + m[0].length);
}
