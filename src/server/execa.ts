/**
 * execa, loaded on first use. Most commands (clone above all) never start a process, and
 * importing execa costs tens of milliseconds of CLI start-up: every caller goes through here.
 */
export async function loadExeca(): Promise<typeof import('execa').execa> {
  return (await import('execa')).execa;
}
