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

  var h = React.createElement;

  /*
   * The Purpose panel (a GraphiQL 3 plugin): paste a token once, pick a purpose and a task from
   * myPurposes, and the headers editor is filled. The token lives in this variable only (memory:
   * gone with the page), never in storage.
   */
  var memory = { token: '', purposes: null, purpose: '', task: '', error: '' };
  var MY_PURPOSES = '{ myPurposes { id description requiresTask consentNeeded openTasks { id note expiresAt } } }';
  var field = { display: 'block', width: '100%', boxSizing: 'border-box', margin: '4px 0 12px', padding: '6px', font: 'inherit' };

  function headersFor(state) {
    var headers = { Authorization: 'Bearer ' + state.token };
    if (!config.implicitPurpose && state.purpose) headers['X-Purpose'] = state.purpose;
    var chosen = (state.purposes || []).filter(function (p) { return p.id === state.purpose; })[0];
    if (chosen && chosen.requiresTask && state.task) headers['X-Task-Id'] = state.task;
    return JSON.stringify(headers, null, 2);
  }

  function PurposePanel() {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true });
    var pair = React.useState(0);
    var rerender = function () { pair[1](function (n) { return n + 1; }); };
    var tokenInput = React.useRef(null);

    function apply() {
      if (memory.token && editor.headerEditor) editor.headerEditor.setValue(headersFor(memory));
    }
    function pick(purpose) {
      memory.purpose = purpose;
      var chosen = (memory.purposes || []).filter(function (p) { return p.id === purpose; })[0];
      memory.task = chosen && chosen.openTasks.length ? chosen.openTasks[0].id : '';
      apply();
      rerender();
    }
    function load() {
      var raw = (tokenInput.current && tokenInput.current.value || '').trim().replace(/^Bearer\s+/i, '');
      if (tokenInput.current) tokenInput.current.value = '';
      if (!raw) return;
      memory.token = raw;
      memory.error = '';
      fetch(config.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer ' + raw },
        body: JSON.stringify({ query: MY_PURPOSES }),
      }).then(function (res) { return res.json(); }).then(function (body) {
        if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
        memory.purposes = body.data.myPurposes;
        pick(memory.purposes.length ? memory.purposes[0].id : '');
      }).catch(function (err) {
        memory.purposes = null;
        memory.token = '';
        memory.error = 'Could not list your purposes: ' + err.message;
        rerender();
      });
    }
    function openExample(example) {
      if (editor.queryEditor) editor.queryEditor.setValue(example.query);
      if (editor.variableEditor) editor.variableEditor.setValue(example.variables || '');
      apply();
    }

    var chosen = (memory.purposes || []).filter(function (p) { return p.id === memory.purpose; })[0];
    var examples = config.examples.filter(function (e) { return e.purpose === null || e.purpose === memory.purpose; });
    var children = [
      h('div', { key: 'title', className: 'graphiql-doc-explorer-title' }, 'Purpose'),
      h('label', { key: 'token-label', htmlFor: 'purpose-token' }, memory.token ? 'Token set (kept in memory only). Paste another:' : 'Paste your bearer token:'),
      h('input', { key: 'token', id: 'purpose-token', type: 'password', autoComplete: 'off', placeholder: 'eyJ…', ref: tokenInput, style: field,
        onKeyDown: function (e) { if (e.key === 'Enter') load(); } }),
      h('button', { key: 'load', id: 'purpose-load', type: 'button', className: 'graphiql-button', onClick: load }, 'Use this token'),
    ];
    if (memory.error) children.push(h('p', { key: 'error', role: 'alert', style: { color: 'hsl(var(--color-error))' } }, memory.error));
    if (memory.purposes) {
      if (config.implicitPurpose) {
        children.push(h('p', { key: 'implicit' }, 'Your purpose is always self-service: nothing to choose. Headers are set.'));
      } else if (memory.purposes.length === 0) {
        children.push(h('p', { key: 'none' }, 'Your roles may act for no purpose.'));
      } else {
        children.push(h('label', { key: 'purpose-label', htmlFor: 'purpose-select', style: { display: 'block', marginTop: '12px' } }, 'Purpose (X-Purpose)'));
        children.push(h('select', { key: 'purpose', id: 'purpose-select', value: memory.purpose, style: field, onChange: function (e) { pick(e.target.value); } },
          memory.purposes.map(function (p) { return h('option', { key: p.id, value: p.id }, p.id); })));
      }
      if (chosen) {
        children.push(h('p', { key: 'desc' }, chosen.description + (chosen.consentNeeded ? ' Only customers who granted "' + chosen.consentNeeded + '" are visible.' : '')));
        if (chosen.requiresTask) {
          children.push(h('label', { key: 'task-label', htmlFor: 'purpose-task' }, 'Task (X-Task-Id)'));
          children.push(chosen.openTasks.length
            ? h('select', { key: 'task', id: 'purpose-task', value: memory.task, style: field, onChange: function (e) { memory.task = e.target.value; apply(); rerender(); } },
              chosen.openTasks.map(function (t) { return h('option', { key: t.id, value: t.id }, t.id + (t.note ? ' · ' + t.note : '')); }))
            : h('p', { key: 'no-task' }, 'This purpose needs a task, and none is open for you: ask a supervisor to open one.'));
        }
      }
      children.push(h('button', { key: 'apply', id: 'purpose-apply', type: 'button', className: 'graphiql-button', onClick: apply }, 'Set these headers in this tab'));
    }
    if (examples.length) {
      children.push(h('div', { key: 'examples-title', className: 'graphiql-doc-explorer-title', style: { marginTop: '16px', fontSize: '1.1em' } }, 'Examples'));
      examples.forEach(function (e) {
        children.push(h('button', { key: 'ex-' + e.name, type: 'button', className: 'graphiql-button purpose-example', 'data-example': e.name, style: { display: 'block', margin: '4px 0' }, onClick: function () { openExample(e); } },
          e.name + (e.purpose ? ' (' + e.purpose + ')' : '')));
      });
    }
    return h('div', { className: 'purpose-panel' }, children);
  }

  var purposePlugin = {
    title: 'Purpose',
    icon: function () { return h('span', { 'aria-hidden': true, style: { fontWeight: 700 } }, 'P'); },
    content: PurposePanel,
  };

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: config.endpoint }),
      defaultQuery: config.defaultQuery,
      /* GraphiQL fills the first tab's headers editor from defaultHeaders: the first persona's, when there are persona tabs. */
      defaultHeaders: config.tabs.length ? config.tabs[0].headers : config.defaultHeaders,
      defaultTabs: config.tabs.length ? config.tabs.map(function (t) { return { query: t.query, variables: t.variables, headers: t.headers }; }) : undefined,
      plugins: [purposePlugin],
      visiblePlugin: purposePlugin,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
      /* Headers carry bearer tokens: never written to localStorage, and no switch to do so. */
      shouldPersistHeaders: false,
      showPersistHeadersSettings: false,
      storage: storage,
    }),
  );
})();
