import { describeEvent, type RegistryEvent } from './event.js';
import type { EventSink } from './bus.js';
import { postJson, redactUrl, type PostOptions } from './post-json.js';

/** Lines per Slack message; the rest is summarised as a count (Slack truncates long messages anyway). */
const MAX_LINES = 30;
const MAX_LINE_CHARS = 300;

/**
 * Slack's message text treats `&`, `<` and `>` as control characters (links, mentions): registry data is
 * escaped so a hostile repository name cannot ping @channel or forge a link.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The incoming-webhook payload for a batch: one mrkdwn text, one line per event. */
export function slackPayload(events: readonly RegistryEvent[]): { text: string } {
  const lines = events.slice(0, MAX_LINES).map((e) => {
    const icon =
      e.type === 'finding.fixed'
        ? ':white_check_mark:'
        : e.type === 'scan.error'
          ? ':warning:'
          : ':rotating_light:';
    const line = describeEvent(e);
    return `${icon} ${slackEscape(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line)}`;
  });
  if (events.length > MAX_LINES) lines.push(`… and ${events.length - MAX_LINES} more events`);
  return { text: `*kubeward registry watch*\n${lines.join('\n')}` };
}

/** Slack incoming webhook (https://api.slack.com/messaging/webhooks). */
export function slackSink(url: URL, opts: PostOptions = {}): EventSink {
  return {
    name: `slack ${redactUrl(url)}`,
    deliver: (events: readonly RegistryEvent[], signal: AbortSignal) =>
      postJson(url, slackPayload(events), signal, opts),
  };
}
