import type { RegistryEvent } from './event.js';
import type { EventSink } from './bus.js';
import { postJson, redactUrl, type PostOptions } from './post-json.js';

/** Generic JSON webhook: POST `{"source":"kubeward","events":[...]}` per batch. */
export function webhookSink(url: URL, opts: PostOptions = {}): EventSink {
  return {
    name: `webhook ${redactUrl(url)}`,
    deliver: (events: readonly RegistryEvent[], signal: AbortSignal) =>
      postJson(url, { source: 'kubeward', events }, signal, opts),
  };
}
