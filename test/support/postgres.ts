// A private, throw-away PostgreSQL server for integration tests (suite `store-postgres`): initdb into a
// temp dir, listen on a Unix socket in that dir only (no TCP, so parallel runs cannot collide), trust
// authentication, fsync off. PostgreSQL refuses to run as root, so as root the server runs as the
// `postgres` user (Debian's package creates it) through runuser.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** Socket directory, the `host` of connection URLs. */
  socketDir: string;
  port: number;
  /** URL of a database on this server, e.g. `postgres://postgres@localhost/db?host=/tmp/…&port=…` (the socket directory wins over localhost). */
  url(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and deletes its files. */
  stop(): void;
}

/** Directory holding initdb/pg_ctl: $KUBEWARD_PG_BIN, `pg_config --bindir`, or /usr/lib/postgresql/N/bin. */
export function findPostgresBin(): string | undefined {
  const candidates: string[] = [];
  if (process.env.KUBEWARD_PG_BIN) candidates.push(process.env.KUBEWARD_PG_BIN);
  const cfg = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (cfg.status === 0) candidates.push(cfg.stdout.trim());
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian))
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      candidates.push(join(debian, v, 'bin'));
  return candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Why a private server cannot be started here, or undefined when it can. */
export function postgresUnavailable(): string | undefined {
  if (!findPostgresBin())
    return 'PostgreSQL server binaries (initdb, pg_ctl) not found; install the Debian package postgresql';
  if (isRoot() && spawnSync('id', ['-u', 'postgres']).status !== 0)
    return 'running as root and there is no `postgres` user to run the server as';
  return undefined;
}

function run(bin: string, args: string[]): void {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0)
    throw new Error(`${bin} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
}

/** Starts a private server; throws when it cannot (check {@link postgresUnavailable} first). */
export function startPostgres(): PostgresServer {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL binaries not found');
  const root = mkdtempSync(join(tmpdir(), 'kw-pg-'));
  const data = join(root, 'data');
  const sock = join(root, 'sock');
  mkdirSync(sock);
  if (isRoot()) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(root, uid, gid);
    chownSync(sock, uid, gid);
  }
  chmodSync(root, 0o700);
  // The socket lives in a private directory, so any port number is free; vary it anyway for clarity.
  const port = 20000 + Math.floor(Math.random() * 20000);
  try {
    run(join(bin, 'initdb'), [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    run(join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      join(root, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-k ${sock} -p ${port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      'start',
    ]);
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  const url = (database: string): string =>
    `postgres://postgres@localhost/${encodeURIComponent(database)}?host=${encodeURIComponent(sock)}&port=${port}`;
  let stopped = false;
  return {
    socketDir: sock,
    port,
    url,
    async createDatabase(name: string): Promise<string> {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop(): void {
      if (stopped) return;
      stopped = true;
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
