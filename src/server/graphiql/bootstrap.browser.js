/*
 * Runs in the browser, served as <endpoint>/_assets/bootstrap.js (the page's CSP allows no inline
 * script). It reads the page's JSON config block and renders GraphiQL 3 with React 18 (UMD globals).
 */
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('graphiql-config').textContent);

  /*
   * GraphiQL's history and favourites ("queries", "favorites") store each run's headers even with
   * shouldPersistHeaders: false. Before they reach localStorage, credential headers are replaced by
   * a placeholder (X-Purpose and X-Task-Id stay, they are useful in history); headers that are not
   * a JSON object are dropped.
   */
  var SECRET_HEADER = /authorization|cookie|token|secret|key|password/i;
  var NOT_STORED = '<not stored: paste a token again>';
  function withoutSecrets(headers) {
    try {
      var parsed = JSON.parse(headers);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
      Object.keys(parsed).forEach(function (name) {
        if (SECRET_HEADER.test(name)) parsed[name] = NOT_STORED;
      });
      return JSON.stringify(parsed, null, 2);
    } catch (e) {
      return undefined;
    }
  }
  function scrubHistory(key, value) {
    if (!/:(queries|favorites)$/.test(key)) return value;
    try {
      var stored = JSON.parse(value);
      (stored.queries || []).forEach(function (item) {
        if (typeof item.headers === 'string') item.headers = withoutSecrets(item.headers);
        else delete item.headers;
      });
      return JSON.stringify(stored);
    } catch (e) {
      return '{"queries":[]}';
    }
  }

  /* Each endpoint keeps its own tabs and history: /graphql and /self/graphql share an origin. */
  function scopedStorage(prefix) {
    function ownKeys() {
      var keys = [];
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key !== null && key.indexOf(prefix) === 0) keys.push(key);
      }
      return keys;
    }
    return {
      getItem: function (key) { return localStorage.getItem(prefix + key); },
      setItem: function (key, value) { localStorage.setItem(prefix + key, scrubHistory(key, value)); },
      removeItem: function (key) { localStorage.removeItem(prefix + key); },
      get length() { return ownKeys().length; },
      clear: function () { ownKeys().forEach(function (key) { localStorage.removeItem(key); }); },
    };
  }

  var storage;
  try {
    storage = scopedStorage('graphiql@' + config.endpoint + ':');
  } catch (e) {
    storage = null; /* storage disabled in this browser: GraphiQL then keeps state in memory */
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: config.endpoint }),
      defaultQuery: config.defaultQuery,
      defaultHeaders: config.defaultHeaders,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
      /* Headers carry bearer tokens: never written to localStorage, and no switch to do so. */
      shouldPersistHeaders: false,
      showPersistHeadersSettings: false,
      storage: storage,
    }),
  );
})();
