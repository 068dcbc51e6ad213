/** Background loops (outbox, webhooks) started with the server and stopped before the database closes. */
export interface Worker {
  name: string;
  start(): void;
  stop(): Promise<void>;
}
