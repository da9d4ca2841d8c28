export * from './event.js';
export { EventBus, type EventSink, type EventBusOptions, type SinkStats } from './bus.js';
export { jsonLinesSink } from './jsonl-sink.js';
export { webhookSink } from './webhook-sink.js';
export { slackSink, slackPayload, slackEscape } from './slack-sink.js';
export { parseWebhookUrl, postJson, type PostOptions } from './post-json.js';
