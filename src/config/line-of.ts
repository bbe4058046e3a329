/** Best-effort line of a key path in TOML text, for error messages ("line 7"). */
export function lineOf(text: string, path: string[]): number | undefined {
  const lines = text.split('\n');
  let table: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = (lines[i] ?? '').trim();
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
    if (header) {
      table = (header[1] ?? '').split('.').map((part) => part.trim().replace(/^"|"$/g, ''));
      if (table.join('.') === path.join('.')) return i + 1;
      continue;
    }
    const key = /^("?)([A-Za-z0-9_.-]+)\1\s*=/.exec(line);
    if (key) {
      const full = [...table, ...(key[2] ?? '').split('.')];
      if (full.join('.') === path.join('.')) return i + 1;
    }
  }
  return undefined;
}
