/**
 * `npm run cluster [-- --nodes N]`: a real Temporal cluster (the server, not the dev server) on
 * PostgreSQL — DATABASE_URL's server, else the embedded PostgreSQL `npm start` uses — with N nodes, the
 * `default` namespace and Guildflow's search attributes; prints how to point Guildflow's processes at
 * it. Ctrl-C stops it. The first run builds the server with Go (about 6 minutes, once per machine).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { redactUrl } from '../lib/config';
import { startEmbeddedPostgres } from '../lib/dev/embedded-postgres';
import { startTemporalCluster } from '../lib/dev/temporal-cluster';
import { runProcess } from '../lib/process';

runProcess('cluster', async ({ config, log, started }) => {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '1' } } });
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new Error(`--nodes takes 1 to 9, not ${values.nodes}`);

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const db = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_DB_PORT, log });
    started.push({ name: 'embedded PostgreSQL', stop: db.stop });
    databaseUrl = db.url;
  }
  const cluster = await startTemporalCluster({
    databaseUrl,
    nodes,
    dataDir: path.join(config.DATA_DIR, 'temporal-cluster'),
    namespace: config.TEMPORAL_NAMESPACE,
    cliPath: config.TEMPORAL_CLI,
    serverBinDir: config.TEMPORAL_SERVER_BIN,
    log,
  });
  started.push({ name: 'Temporal cluster', stop: cluster.stop });

  // The embedded server's `postgres` database is the one `npm start` uses for Guildflow's own tables.
  const env = `TEMPORAL_ADDRESS=${cluster.address}${config.DATABASE_URL ? '' : ` DATABASE_URL=${databaseUrl}`}`;
  process.stdout.write(
    [
      '',
      `Temporal cluster: ${nodes} node(s), frontends ${cluster.addresses.join(', ')} (logs in ${path.join(config.DATA_DIR, 'temporal-cluster')})`,
      `PostgreSQL: ${redactUrl(databaseUrl)}`,
      '',
      'Point Guildflow at it, one process per line (as many workers and APIs as you like; give each API its own PORT):',
      config.DATABASE_URL ? '' : `  ${env} npm run db:migrate`,
      `  ${env} npm run worker`,
      `  ${env} PORT=3000 npm run api`,
      `  ${env} npm run bot`,
      `  or everything in one process: ${env} npm start`,
      nodes > 1 ? `Any frontend will do; production puts a load balancer or one DNS name in front of them.` : '',
      'Web UI: none here (the CLI only serves one for its own dev server); docker-compose.yml runs temporalio/ui.',
      'Ctrl-C stops the cluster.',
      '',
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n') + '\n',
  );
});
