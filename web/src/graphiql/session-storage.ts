/**
 * GraphiQL's storage (tabs, headers, history) in this tab's session storage under one prefix:
 * the headers carry the bearer token, which is never written to local storage.
 */
const PREFIX = 'upload-service.graphiql:';

export function graphiqlStorage(): Storage {
  const keys = () =>
    Array.from({ length: sessionStorage.length }, (_, index) => sessionStorage.key(index)).filter(
      (key): key is string => key !== null && key.startsWith(PREFIX),
    );
  return {
    get length() {
      return keys().length;
    },
    key: (index) => keys()[index]?.slice(PREFIX.length) ?? null,
    getItem: (key) => sessionStorage.getItem(PREFIX + key),
    setItem: (key, value) => sessionStorage.setItem(PREFIX + key, value),
    removeItem: (key) => sessionStorage.removeItem(PREFIX + key),
    clear: () => {
      for (const key of keys()) sessionStorage.removeItem(key);
    },
  };
}
