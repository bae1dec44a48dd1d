import type { WebhookPayload } from '../events/security-events.ts';
import type { Secret } from '../secrets/secret.ts';
import { DeliveryError, networkFailure } from './delivery-error.ts';
import { signWebhook } from './webhook-signature.ts';

export interface WebhookSettings {
  url: string;
  secret: Secret;
  timeoutMs: number;
}

/** POSTs one event to WEBHOOK_URL, signed; any 2xx within the timeout is delivery. */
export class WebhookSender {
  readonly #settings: WebhookSettings;

  constructor(settings: WebhookSettings) {
    this.#settings = settings;
  }

  async send(payload: WebhookPayload, signal: AbortSignal): Promise<void> {
    const rawBody = JSON.stringify(payload);
    const timeout = AbortSignal.timeout(this.#settings.timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.#settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Rekey-Webhook/1',
          'rekey-event-id': payload.id,
          'rekey-signature': signWebhook(this.#settings.secret.bytes, rawBody, Math.floor(Date.now() / 1000)),
        },
        body: rawBody,
        // A redirect is not a delivery, and following one could send the event somewhere unintended.
        redirect: 'manual',
        signal: AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      if (timeout.aborted) throw new DeliveryError(`Webhook timed out after ${this.#settings.timeoutMs / 1000} s`);
      if (signal.aborted) throw new DeliveryError('Webhook delivery stopped (shutting down)');
      throw networkFailure('Webhook request', error);
    }
    // The receiver's answer is not needed; drop it without reading it into memory.
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status > 299) throw new DeliveryError(`Webhook answered HTTP ${response.status}`);
  }
}
