/**
 * Splits a one-command shell sample into words the way sh would: backslash-newline
 * joins lines, single quotes keep everything, double quotes expand $NAME from the
 * given variables. Anything fancier (pipes, $(...), globs) is refused, so a
 * sample that needs a real shell fails here instead of being misread.
 */
export function shellWords(source: string, variables: Record<string, string> = {}): string[] {
  const text = source.replace(/\\\n/g, " ").trim();
  const words: string[] = [];
  let word: string | undefined;
  const append = (s: string) => (word = (word ?? "") + s);
  const expand = (s: string) =>
    s.replace(/\$(\w+)|\$\{(\w+)\}/g, (_, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b) as string;
      return variables[name] ?? `$${name}`;
    });
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i += 1;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${source}`);
      append(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new Error(`unclosed " in: ${source}`);
      append(expand(text.slice(i + 1, end)));
      i = end + 1;
    } else if (/[|&;<>()`*?[\]]/.test(c) || text.startsWith("$(", i)) {
      throw new Error(`shell syntax "${c}" is beyond a single plain command: ${source}`);
    } else {
      const match = /^[^\s'"|&;<>()`*?[\]]+/.exec(text.slice(i)) as RegExpExecArray;
      append(expand(match[0]));
      i += match[0].length;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
