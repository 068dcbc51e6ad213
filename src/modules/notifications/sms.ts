import type { Config } from "../../config";
import type { Logger } from "../../log";

export interface SmsSender {
  /**
   * Posts one SMS to the gateway; throws on a network error, a timeout, a non-2xx answer, or
   * `signal` aborting (the job timed out).
   */
  send(msg: { to: string; text: string }, signal?: AbortSignal): Promise<{ status: number }>;
}

export class SmsConfigError extends Error {
  override name = "SmsConfigError";
}

/** A JSON string's content without its quotes: safe to put between the quotes of the template. */
const jsonEscape = (s: string) => JSON.stringify(s).slice(1, -1);

/** The body sent to the gateway: the template with {to} and {text} replaced, JSON-escaped. */
export function renderSmsBody(template: string, msg: { to: string; text: string }): string {
  // One pass, so a {text} inside the phone number (or the reverse) is never replaced twice.
  const body = template.replace(/\{(to|text)\}/g, (_, k: "to" | "text") => jsonEscape(msg[k]));
  try {
    JSON.parse(body);
  } catch {
    throw new SmsConfigError(`sms.bodyTemplate does not give valid JSON once filled: ${body.slice(0, 200)}`);
  }
  return body;
}

/** The HTTP gateway of config.sms, or null when none is configured. */
export function createSmsSender(sms: Config["sms"], log: Logger): SmsSender | null {
  if (!sms.gatewayUrl) return null;
  return {
    async send(msg, signal) {
      const body = renderSmsBody(sms.bodyTemplate, msg);
      const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Certyneo" };
      if (sms.authorization) headers.authorization = sms.authorization;
      let res: Response;
      try {
        res = await fetch(sms.gatewayUrl, {
          method: "POST",
          headers,
          body,
          redirect: "manual",
          signal: signal ? AbortSignal.any([AbortSignal.timeout(sms.timeoutMs), signal]) : AbortSignal.timeout(sms.timeoutMs),
        });
      } catch (e: any) {
        const why = e?.name === "TimeoutError" ? `no answer within ${sms.timeoutMs} ms` : (e?.message ?? String(e));
        throw new Error(`SMS gateway ${new URL(sms.gatewayUrl).host}: ${why}`);
      }
      const answer = (await res.text().catch(() => "")).slice(0, 300);
      if (res.status < 200 || res.status > 299) {
        throw new Error(`SMS gateway answered HTTP ${res.status}${answer ? `: ${answer}` : ""}`);
      }
      log.info("sms sent", { to: msg.to, status: res.status });
      return { status: res.status };
    },
  };
}
