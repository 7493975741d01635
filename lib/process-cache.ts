// Least-recently-used caches that live as long as the server process: one per name, shared by every route's copy of
// the module that asks for it (Next bundles a lib module once per route, so a module-level Map would be one per route).
declare global {
  var __cajalCaches: Map<string, Map<string, unknown>> | undefined;
}

export interface ProcessCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
}

/** The process's cache called `name`, holding at most `capacity` entries (the least recently used go first). */
export function processCache<V>(name: string, capacity: number): ProcessCache<V> {
  globalThis.__cajalCaches ??= new Map();
  let entries = globalThis.__cajalCaches.get(name) as Map<string, V> | undefined;
  if (!entries) {
    entries = new Map();
    globalThis.__cajalCaches.set(name, entries);
  }
  const map = entries;
  return {
    get(key) {
      if (!map.has(key)) return undefined;
      const value = map.get(key) as V;
      map.delete(key); // most recently used last
      map.set(key, value);
      return value;
    },
    set(key, value) {
      map.set(key, value);
      if (map.size > capacity) map.delete(map.keys().next().value as string);
    },
  };
}
