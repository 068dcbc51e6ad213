import type { Socket, TCPSocketListener } from "bun";

/**
 * A loopback TCP relay in front of a real server, to take that server away from a client and
 * give it back: `cut()` closes every connection and stops listening (new ones are refused),
 * `restore()` listens again on the same port.
 */
export function tcpProxy(port: number, targetPort: number) {
  const open = new Set<Socket<any>>();
  let listener: TCPSocketListener<any> | null = null;
  type Side = { upstream: Socket<any> | null; pending: Uint8Array[] };
  const listen = () => {
    listener = Bun.listen<Side>({
      hostname: "127.0.0.1",
      port,
      socket: {
        async open(client) {
          client.data = { upstream: null, pending: [] };
          open.add(client);
          const upstream = await Bun.connect({
            hostname: "127.0.0.1",
            port: targetPort,
            socket: { data: (_s, bytes) => void client.write(bytes), close: () => void client.end(), error: () => void client.end() },
          });
          open.add(upstream);
          client.data.upstream = upstream;
          for (const bytes of client.data.pending.splice(0)) upstream.write(bytes);
        },
        data(client, bytes) {
          if (client.data.upstream) client.data.upstream.write(bytes);
          else client.data.pending.push(new Uint8Array(bytes));
        },
        close: (client) => void client.data.upstream?.end(),
        error: (client) => void client.data.upstream?.end(),
      },
    });
  };
  listen();
  return {
    cut() {
      listener?.stop(true);
      listener = null;
      for (const s of open) s.end();
      open.clear();
    },
    restore() {
      if (!listener) listen();
    },
  };
}
