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
  const value = text.replace(PATTERN, (_whole, name: string | undefined, fallback?: string) => {
    // Only the `$${` escape matches without a name.
    if (name === undefined) return '${';
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
  return { value, missing };
}
