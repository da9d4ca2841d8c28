import { Command, Option } from 'commander';
import { UserError } from '../../core/errors.js';
import { SEVERITIES, isSeverity } from '../../core/severity.js';
import {
  EventBus,
  jsonLinesSink,
  parseWebhookUrl,
  slackSink,
  webhookSink,
  type EventSink,
} from '../../registry/events/index.js';
import { startNotificationReceiver, type RunningReceiver } from '../../registry/notifications/index.js';
import { PushQueue, watch } from '../../registry/scan/index.js';
import {
  access,
  openScanStore,
  openScanVulnDb,
  parseDuration,
  passLine,
  platformOf,
  registrySourceOptions,
  resolveSources,
  storeOptions,
  type RegistrySourceFlags,
} from './registry-shared.js';

interface WatchFlags extends RegistrySourceFlags {
  interval: string;
  dbCheck: string;
  notifyListen?: string;
  notifyTokenEnv?: string;
  webhook?: string[];
  slackWebhook?: string[];
  eventSeverity: string;
}

/**
 * `kubeward registry watch`: passes every --interval, scans on registry push notifications, re-matches after
 * database updates; events go to stdout as JSON lines and to the webhooks. Runs until SIGINT/SIGTERM.
 */
export function registryWatchCommand(): Command {
  const cmd = new Command('watch')
    .description(
      'scan continuously: events (new critical/KEV finding, fixed, tag moved, ...) as JSON lines on stdout',
    )
    .option('--interval <duration>', 'time between full passes (e.g. 15m, 1h)', '15m')
    .option('--db-check <duration>', 'how often the vulnerability database is checked for an update', '1m')
    .option(
      '--notify-listen <addr>',
      'receive registry push notifications on host:port (path /notifications)',
    )
    .option(
      '--notify-token-env <var>',
      'environment variable holding the bearer token notifications must carry',
    )
    .option('--webhook <url...>', 'POST events as JSON to these URLs')
    .option('--slack-webhook <url...>', 'post events to these Slack incoming webhooks')
    .addOption(
      new Option(
        '--event-severity <severity>',
        'new findings at or above this severity are events (KEV always)',
      )
        .choices(SEVERITIES)
        .default('critical'),
    );
  registrySourceOptions(cmd);
  storeOptions(cmd);
  cmd.action(async (flags: WatchFlags, c: Command) => {
    const intervalMs = parseDuration(flags.interval, '--interval');
    const dbCheckMs = parseDuration(flags.dbCheck, '--db-check');
    const minSeverity = isSeverity(flags.eventSeverity) ? flags.eventSeverity : 'critical';
    let token: string | undefined;
    if (flags.notifyTokenEnv !== undefined) {
      if (!flags.notifyListen) throw new UserError('--notify-token-env needs --notify-listen');
      token = process.env[flags.notifyTokenEnv];
      if (!token) throw new UserError(`--notify-token-env: ${flags.notifyTokenEnv} is not set`);
    }
    const sinks: EventSink[] = [jsonLinesSink(process.stdout)];
    for (const u of flags.webhook ?? []) sinks.push(webhookSink(parseWebhookUrl(u, '--webhook')));
    for (const u of flags.slackWebhook ?? []) sinks.push(slackSink(parseWebhookUrl(u, '--slack-webhook')));
    const sources = resolveSources(flags, c);
    const platform = platformOf(flags);
    const vulnDb = openScanVulnDb(flags);
    const store = await openScanStore(flags);
    const { client, limitsFor } = access(sources);
    const bus = new EventBus(sinks, {
      onError: (sink, e) => process.stderr.write(`warning: event delivery to ${sink} failed: ${e.message}\n`),
    });
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const pushes = new PushQueue();
    let receiver: RunningReceiver | undefined;
    try {
      if (flags.notifyListen) {
        try {
          receiver = await startNotificationReceiver({
            listen: flags.notifyListen,
            ...(token ? { token } : {}),
            onPush: (p) => pushes.push(p),
            onReject: (status, reason) =>
              process.stderr.write(`notifications: rejected (${status}): ${reason}\n`),
          });
        } catch (e) {
          throw new UserError(`--notify-listen: ${(e as Error).message}`);
        }
        process.stderr.write(`notifications: listening on http://${receiver.address}/notifications\n`);
      }
      await watch({
        sources,
        deps: {
          store,
          vulnDb,
          client,
          limitsFor,
          platform,
          policy: { minSeverity },
          onEvents: (e) => bus.emit(e),
        },
        intervalMs,
        dbCheckMs,
        pushes,
        signal: stop.signal,
        onPass: (s, kind) => process.stderr.write(`${passLine(s, kind)}\n`),
        onRematch: (c) =>
          process.stderr.write(
            `rematch: vulnerability database updated; re-matched ${c.images} stored images ` +
              `(+${c.appeared}/-${c.disappeared} findings) in ${(c.ms / 1000).toFixed(1)} s, nothing pulled\n`,
          ),
        onError: (e) => process.stderr.write(`warning: pass failed: ${e.message.split('\n')[0]}\n`),
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await receiver?.close();
      await bus.flush(5000);
      await client.close();
      await store.close();
      vulnDb.close();
    }
  });
  return cmd;
}
