// lru-cache 5 ships no types (the version the lockfile already holds); only what Paperboy calls is declared.
declare module 'lru-cache' {
  class LRUCache<K, V> {
    constructor(options: { max: number });
    get(key: K): V | undefined;
    set(key: K, value: V): boolean;
  }
  export = LRUCache;
}
