/**
 * `${VAR}` and `${VAR:-default}` in string values of dbfast.toml. `$${` escapes a literal `${`.
 * A variable that is unset (and has no default) is a problem reported with its name.
 */

export interface InterpolationResult {
  value: string;
  missing: string[];
}

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolate(
  text: string,
  env: Record<string, string | undefined>,
): InterpolationResult {
  const missing: string[] = [];
  const value = text.replace(PATTERN, (whole, name: string | undefined, fallback?: string) => {
    if (whole === '$${') return '${';
    const found = env[name as string];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing.push(name as string);
    return '';
  });
  return { value, missing };
}
