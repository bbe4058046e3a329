import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionUrl } from '../../src/config/url.js';
import { withClient } from '../../src/server/connection.js';
import { type PrivateServer, startPrivateServer } from '../helpers/limited-server.js';
import { type TempProject, tempProject } from '../helpers/project.js';

const BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));

describe('connection pressure (a private server with max_connections = 20)', () => {
  let server: PrivateServer;
  let temp: TempProject;
  beforeAll(async () => {
    server = await startPrivateServer(['max_connections = 20']);
    temp = await tempProject({
      configText: `[database]\nurl = "${connectionUrl(server.params)}"\ntemplate_name = "crowd"\n\n[repository]\npath = "./sql"\n`,
      files: {
        'sql/a.sql': 'CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);\n',
        // Slow enough that every clone arrives while the template is being built.
        'sql/b.sql': 'SELECT pg_sleep(6);\n',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await temp?.cleanup();
    await server?.stop();
  });

  it('32 cold clones at once all succeed: waiting for the build holds no connection, and "too many clients" is retried', async () => {
    const runs = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        execa('node', [BIN, 'clone', `crowd_clone_${i}`, '--json'], {
          cwd: temp.dir,
          reject: false,
        }),
      ),
    );
    const failed = runs.filter((r) => r.exitCode !== 0).map((r) => String(r.stdout || r.stderr));
    expect(failed).toEqual([]);
    const built = runs.filter((r) => JSON.parse(String(r.stdout)).templateBuilt === true);
    expect(built).toHaveLength(1);
    const count = await withClient(server.params, async (c) => {
      const { rows } = await c.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_database WHERE datname LIKE 'crowd\\_clone\\_%'",
      );
      return Number(rows[0]?.n);
    });
    expect(count).toBe(32);
  }, 180_000);
});
