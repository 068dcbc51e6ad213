import type { ApiKey, CreatedApiKey, Operations } from "../generated.js";
import type { RequestOptions, Transport } from "../transport.js";

export type KeyCreate = Operations["POST /api/v1/keys"]["body"];

/** API keys of the calling key's environment. */
export class Keys {
  constructor(private readonly http: Transport) {}

  /** Creates a key; the answer's `key` is the secret, shown this once. */
  create(body: KeyCreate, options?: RequestOptions): Promise<CreatedApiKey> {
    return this.http.json("POST /api/v1/keys", { ...options, body });
  }

  /** Every key (the list is not paged). */
  async list(options?: RequestOptions): Promise<ApiKey[]> {
    return (await this.http.json("GET /api/v1/keys", options)).data;
  }

  /** Revokes a key: its very next request is refused. */
  revoke(id: string, options?: RequestOptions): Promise<ApiKey> {
    return this.http.json("DELETE /api/v1/keys/{id}", { ...options, path: { id } });
  }
}
