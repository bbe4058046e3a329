import { connectionUrl } from '../config/url.js';
import { usageError } from '../errors.js';
import type { Project } from '../project.js';
import { embeddedConnection, embeddedStatus, stopEmbeddedServer } from '../server/embedded.js';
import { serverInfo } from '../server/info.js';

/** The state of the server a project uses, as `dbfast server status` shows it. */
export interface ServerState {
  kind: 'embedded' | 'external';
  running: boolean;
  /** Connection URL of the maintenance database, without a password. */
  url: string | undefined;
  version: string | undefined;
  dir: string | undefined;
  pid: number | undefined;
}

/** Start the embedded server (a no-op when it runs) and report it. */
export async function startServer(project: Project): Promise<ServerState> {
  const params = await project.connection();
  const info = await project.withClient(serverInfo);
  const target = project.config.database.target;
  const status = target.kind === 'embedded' ? await embeddedStatus(target.dir) : undefined;
  return {
    kind: target.kind,
    running: true,
    url: connectionUrl(params),
    version: info.version,
    dir: status?.dir,
    pid: status?.pid,
  };
}

/** Stop the embedded server. An external server is not dbfast's to stop: usage error. */
export async function stopServer(project: Project): Promise<{ stopped: boolean; dir: string }> {
  const target = project.config.database.target;
  if (target.kind !== 'embedded') {
    throw usageError(
      'server.not_embedded',
      'This project uses an external server; dbfast only starts and stops its embedded one.',
      'Stop your own server with its own tools.',
    );
  }
  const stopped = await stopEmbeddedServer(target.dir, {
    osUser: project.config.server.osUser,
    onNotice: (message) => project.reporter.notice?.(message),
  });
  return { stopped, dir: target.dir };
}

/** Report the server without starting it. */
export async function serverState(project: Project): Promise<ServerState> {
  const target = project.config.database.target;
  if (target.kind === 'external') {
    const version = await project.withClient(serverInfo).then(
      (info) => info.version,
      () => undefined,
    );
    return {
      kind: 'external',
      running: version !== undefined,
      url: connectionUrl(target.connection),
      version,
      dir: undefined,
      pid: undefined,
    };
  }
  const status = await embeddedStatus(target.dir);
  return {
    kind: 'embedded',
    running: status.running,
    url: status.port === undefined ? undefined : connectionUrl(embeddedConnection(status.port)),
    version: status.version,
    dir: status.dir,
    pid: status.pid,
  };
}
