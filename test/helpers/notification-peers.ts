import { afterAll, afterEach, beforeAll } from "bun:test";
import type { FakeClock } from "./clock";
import { startTestServer, type TestServer } from "./server";
import { startSmsGateway, type SmsGateway } from "./sms-gateway";
import { startSmtpSink, type SmtpSink } from "./smtp";

/**
 * For a test file about notifications: a real SMTP server and SMS gateway for the whole file,
 * emptied after each test, and test servers (idle outbox: tests drain it by hand) stopped
 * after each test. Call at the top level of the file.
 */
export function useNotificationPeers() {
  let sink: SmtpSink;
  let gateway: SmsGateway;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    sink = await startSmtpSink();
    gateway = startSmsGateway();
  });
  afterAll(async () => {
    await sink.close();
    gateway.stop();
  });
  afterEach(async () => {
    while (servers.length) await servers.pop()!.stop();
    sink.messages.length = 0;
    sink.failNext(0);
    gateway.reset();
  });
  return {
    get sink() { return sink; },
    get gateway() { return gateway; },
    async server(env: Record<string, string> = {}, opts: { dir?: string; clock?: FakeClock } = {}) {
      // A slow poll: the tests drain by hand, once the timer's first tick (at start) is over.
      const s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", ...env }, ...opts });
      servers.push(s);
      await s.running.app.jobs.drain();
      return s as TestServer & { clock: FakeClock };
    },
  };
}
