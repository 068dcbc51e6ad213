/**
 * A map that forgets its least recently used entries beyond `max` (a Map keeps insertion order:
 * a use moves an entry to the end, the first is the oldest).
 */
export class Recent<V> {
  readonly #entries = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V) {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear() {
    this.#entries.clear();
  }
}
