/**
 * A persistent map for the fold's biggest collection (a user's entries): `fork()` makes a copy
 * that can be changed without touching the original, in O(changes since the last compaction)
 * instead of O(size). evolve forks the state's entries for every command, so with a plain Map a
 * user with 5,000 entries paid for copying 5,000 of them on each `progress log` (issue 6: the
 * 1,000,000-event load spent a quarter of its CPU in those copies).
 *
 * Layout: `base`, a Map shared by every fork and never changed after it is shared, plus `overlay`,
 * a small Map of the keys set since (new keys and new values of base keys). Once the overlay
 * holds more than max(64, base size / 8) keys, a set merges it into a fresh base.
 *
 * Iteration order is a Map's insertion order: base keys in base order (with overlaid values),
 * then keys first set in the overlay, in the order set. No deletes: entries are never removed
 * (a retraction is a flag), so the map offers none.
 */
export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  // ES private fields: not own enumerable properties, so two maps with the same entries compare
  // equal in tests (vitest's toEqual iterates them) whatever their base/overlay split.
  #base: Map<K, V>;
  #overlay: Map<K, V>;
  /** overlay keys that are not in base, in insertion order */
  #added: K[];

  private constructor(base: Map<K, V>, overlay: Map<K, V>, added: K[]) {
    this.#base = base;
    this.#overlay = overlay;
    this.#added = added;
  }

  /** A map with the contents of `source`, in its order (one O(n) copy; a fork when it is an OverlayMap). */
  static from<K, V>(source: ReadonlyMap<K, V>): OverlayMap<K, V> {
    if (source instanceof OverlayMap) return (source as OverlayMap<K, V>).fork();
    return new OverlayMap(new Map(source), new Map(), []);
  }

  /** An independent copy: later sets on either side are not seen by the other. */
  fork(): OverlayMap<K, V> {
    return new OverlayMap(this.#base, new Map(this.#overlay), [...this.#added]);
  }

  get size(): number {
    return this.#base.size + this.#added.length;
  }

  get(key: K): V | undefined {
    return this.#overlay.has(key) ? this.#overlay.get(key) : this.#base.get(key);
  }

  has(key: K): boolean {
    return this.#overlay.has(key) || this.#base.has(key);
  }

  set(key: K, value: V): this {
    if (!this.#overlay.has(key) && !this.#base.has(key)) this.#added.push(key);
    this.#overlay.set(key, value);
    if (this.#overlay.size > Math.max(64, this.#base.size >> 3)) this.#compact();
    return this;
  }

  /** Merges the overlay into a new base (the old base may be shared, so it is never changed). */
  #compact(): void {
    const base = new Map(this.#base);
    for (const [key, value] of this.#overlay) base.set(key, value);
    this.#base = base;
    this.#overlay = new Map();
    this.#added = [];
  }

  *entries(): MapIterator<[K, V]> {
    for (const [key, value] of this.#base) yield [key, this.#overlay.has(key) ? (this.#overlay.get(key) as V) : value];
    for (const key of this.#added) yield [key, this.#overlay.get(key) as V];
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}
