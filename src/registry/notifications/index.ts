export { parseEnvelope, ENVELOPE_MEDIA_TYPE, MAX_EVENTS, type PushedManifest } from './envelope.js';
export {
  startNotificationReceiver,
  parseListen,
  NOTIFICATIONS_PATH,
  DEFAULT_MAX_BODY_BYTES,
  type ReceiverOptions,
  type RunningReceiver,
} from './receiver.js';
