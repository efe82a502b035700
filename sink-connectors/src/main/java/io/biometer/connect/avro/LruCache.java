package io.biometer.connect.avro;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A bounded map that evicts the least recently used entry, for the converter's schema caches. All
 * methods are synchronized: a converter instance serves one task thread, but Connect may call
 * {@code configure} and the conversions from different threads over its life.
 */
final class LruCache<K, V> {

  private final Map<K, V> map;

  LruCache(int maxSize) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("cache size must be at least 1, got " + maxSize);
    }
    this.map =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > maxSize;
          }
        };
  }

  synchronized V get(K key) {
    return map.get(key);
  }

  synchronized void put(K key, V value) {
    map.put(key, value);
  }

  /**
   * The cached value, or {@code load}'s result, cached. {@code load} runs outside the lock (it may
   * call the registry); two threads missing at once both load, and the later result wins.
   */
  V computeIfAbsent(K key, Function<K, V> load) {
    V cached = get(key);
    if (cached != null) {
      return cached;
    }
    V loaded = load.apply(key);
    put(key, loaded);
    return loaded;
  }

  synchronized int size() {
    return map.size();
  }
}
