/* The privacy report page (browser side). Served: asks /graphql for privacyReport with the token typed in
 * (kept in this closure only, never stored). Self-contained file: draws the report embedded in #report-data. */
(function () {
  'use strict';
  var SUPPRESSED = '< 5';
  var charts = [];
  var $ = function (id) { return document.getElementById(id); };

  function num(s) { return s === SUPPRESSED || s == null ? 0 : Number(s); }
  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }
  function isoDay(d) { return d.toISOString().slice(0, 10); }

  function showError(messages) {
    var box = $('error');
    box.textContent = '';
    box.appendChild(text('strong', 'The report could not be shown'));
    var ul = document.createElement('ul');
    messages.forEach(function (m) { ul.appendChild(text('li', m)); });
    box.appendChild(ul);
    box.hidden = false;
    $('report').hidden = true;
  }

  function table(title, head, rows) {
    var wrap = document.createElement('div');
    wrap.className = 'table';
    wrap.appendChild(text('h2', title));
    var t = document.createElement('table');
    var tr = document.createElement('tr');
    head.forEach(function (h) { tr.appendChild(text('th', h)); });
    t.appendChild(document.createElement('thead')).appendChild(tr);
    var body = t.appendChild(document.createElement('tbody'));
    if (rows.length === 0) {
      var empty = text('td', 'None in this range', 'empty');
      empty.colSpan = head.length;
      body.appendChild(document.createElement('tr')).appendChild(empty);
    }
    rows.forEach(function (r) {
      var row = body.appendChild(document.createElement('tr'));
      r.forEach(function (cell, i) { row.appendChild(text('td', cell == null ? '' : String(cell), i > 0 && /^(\d+|< 5)$/.test(String(cell)) ? 'n' : '')); });
    });
    wrap.appendChild(t);
    return wrap;
  }

  function chart(id, option) {
    var el = $(id);
    var old = echarts.getInstanceByDom(el);
    if (old) old.dispose();
    var c = echarts.init(el, null, { renderer: 'svg' });
    option.animation = false;
    option.textStyle = { fontFamily: 'system-ui, sans-serif' };
    c.setOption(option);
    charts.push(c);
    return c;
  }

  /** A tooltip that shows each series' count as the report gives it ("< 5" included). */
  function labelled(strings) {
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      return list.map(function (p) {
        var s = strings[p.seriesIndex] ? strings[p.seriesIndex][p.dataIndex] : p.value;
        return (list.length > 1 || p.seriesName ? p.marker + ' ' + (p.seriesName || p.name) + ': ' : p.name + ': ') + s;
      }).join('<br>');
    };
  }

  /** Every day of the report's range, so a day without activity shows as 0 rather than being skipped. */
  function daysOf(r) {
    var out = [];
    for (var t = Date.parse(r.from + 'T00:00:00Z'), end = Date.parse(r.to + 'T00:00:00Z'); t <= end; t += 86400000) out.push(isoDay(new Date(t)));
    return out;
  }

  function drawAccesses(rows, days) {
    var purposes = [];
    rows.forEach(function (r) { if (purposes.indexOf(r.purpose) < 0) purposes.push(r.purpose); });
    var strings = purposes.map(function () { return days.map(function () { return '0'; }); });
    var series = purposes.map(function (p, i) {
      var data = days.map(function () { return 0; });
      rows.forEach(function (r) {
        if (r.purpose !== p) return;
        var d = days.indexOf(r.day);
        data[d] = num(r.total);
        strings[i][d] = r.total;
      });
      return { name: p, type: 'line', stack: 'total', areaStyle: {}, symbol: 'none', data: data };
    });
    chart('chart-accesses', {
      tooltip: { trigger: 'axis', formatter: labelled(strings) },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', boundaryGap: false, data: days },
      yAxis: { type: 'value', minInterval: 1 },
      series: series,
    });
  }

  function drawBars(id, rows, nameOf, valueOf, color) {
    var strings = [rows.map(valueOf)];
    chart(id, {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: labelled(strings) },
      grid: { left: 140, right: 48, top: 16, bottom: 32 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: rows.map(nameOf) },
      series: [{ type: 'bar', color: color, data: rows.map(function (r) { return num(valueOf(r)); }),
        label: { show: true, position: 'right', formatter: function (p) { return strings[0][p.dataIndex]; } } }],
    });
  }

  function drawConsents(changes, days) {
    var rows = days.map(function (d) {
      for (var i = 0; i < changes.length; i++) if (changes[i].day === d) return changes[i];
      return { day: d, granted: '0', withdrawn: '0' };
    });
    var strings = [rows.map(function (r) { return r.granted; }), rows.map(function (r) { return r.withdrawn; })];
    chart('chart-consents', {
      tooltip: { trigger: 'axis', formatter: labelled(strings) },
      legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: rows.map(function (r) { return r.day; }) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: 'granted', type: 'bar', color: '#2e7d32', data: rows.map(function (r) { return num(r.granted); }) },
        { name: 'withdrawn', type: 'bar', color: '#c62828', data: rows.map(function (r) { return num(r.withdrawn); }) },
      ],
    });
  }

  function drawErasures(e) {
    var steps = [['requested', e.requested], ['completed', e.completed], ['pending', e.pending]];
    chart('chart-erasures', {
      tooltip: { trigger: 'item', formatter: function (p) { return p.name + ': ' + steps[p.dataIndex][1]; } },
      series: [{
        type: 'funnel', sort: 'none', left: '10%', width: '80%', top: 16, bottom: 16, minSize: '20%', gap: 4,
        label: { show: true, position: 'inside', formatter: function (p) { return p.name + ': ' + steps[p.dataIndex][1]; } },
        data: steps.map(function (s, i) { return { name: s[0], value: Math.max(num(s[1]), 0), itemStyle: { color: ['#1565c0', '#2e7d32', '#ef6c00'][i] } }; }),
      }],
    });
  }

  function duration(seconds) {
    if (seconds == null) return 'none completed';
    if (seconds < 1) return 'under 1 s';
    if (seconds < 120) return Math.round(seconds) + ' s';
    if (seconds < 7200) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + ' h';
    return (seconds / 86400).toFixed(1) + ' days';
  }

  function drawIntegrity(i) {
    var box = $('integrity');
    box.textContent = '';
    var badge = text('span', i.status, 'badge ' + i.status.toLowerCase());
    badge.id = 'integrity-badge';
    box.appendChild(badge);
    var dl = document.createElement('dl');
    [['Tree size', i.treeSize == null ? 'no checkpoint' : String(i.treeSize)],
      ['Last checkpoint', i.lastCheckpointAt || 'none'],
      ['Last verification', i.lastVerificationAt ? i.lastVerificationAt + (i.lastVerificationOk ? ' (passed)' : ' (failed)') : 'none'],
      ['Verified tree size', i.lastVerificationTreeSize == null ? '' : String(i.lastVerificationTreeSize)],
      ['Failure', i.lastVerificationFailure || ''],
      ['Verifications in range', i.verifications + (i.failedVerifications !== '0' ? ', failed ' + i.failedVerifications : '')]]
      .forEach(function (p) { if (p[1] !== '') { dl.appendChild(text('dt', p[0])); dl.appendChild(text('dd', p[1])); } });
    box.appendChild(dl);
  }

  function figure(label, value) {
    var d = document.createElement('div');
    d.className = 'figure';
    d.appendChild(text('span', value, 'value'));
    d.appendChild(text('span', label, 'label'));
    return d;
  }

  function render(r) {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    $('error').hidden = true;
    $('report').hidden = false;
    $('range').textContent = r.from + ' to ' + r.to + ' (' + r.days + ' days, UTC) · generated ' + r.generatedAt;
    var a = r.accesses;
    var f = $('figures');
    f.textContent = '';
    f.appendChild(figure('requests', a.requests));
    f.appendChild(figure('entries (subjects touched)', a.entries));
    f.appendChild(figure('erasures requested', r.erasures.requested));
    f.appendChild(figure('median time to erase', duration(r.erasures.medianSecondsToComplete)));
    f.appendChild(figure('disposal runs', r.disposals.runs));
    var days = daysOf(r);
    drawAccesses(a.byPurposeDay, days);
    drawBars('chart-denials', a.denialsByCode, function (d) { return d.code; }, function (d) { return d.count; }, '#c62828');
    drawConsents(r.consents.byDay, days);
    drawErasures(r.erasures);
    drawBars('chart-categories', a.fieldsReadByCategory, function (d) { return d.category; }, function (d) { return d.reads; }, '#1565c0');
    drawIntegrity(r.integrity);
    var t = $('tables');
    t.textContent = '';
    t.appendChild(table('Accesses by purpose', ['Purpose', 'Allowed', 'Partial', 'Denied', 'Total'],
      a.byPurpose.map(function (p) { return [p.purpose, p.allowed, p.partial, p.denied, p.total]; })));
    t.appendChild(table('Activity by role', ['Role', 'Principals', 'Accesses', 'Busiest principals'],
      a.byRole.map(function (p) { return [p.role, p.actors, p.accesses, p.busiest.join(', ')]; })));
    t.appendChild(table('Consents by key', ['Key', 'Granted', 'Withdrawn'],
      r.consents.byKey.map(function (k) { return [k.key, k.granted, k.withdrawn]; })));
    t.appendChild(table('Correction requests', ['Status', 'Count'], r.corrections.map(function (c) { return [c.status, c.count]; })));
    t.appendChild(table('Disposal runs (' + r.disposals.runs + ', of which dry runs ' + r.disposals.dryRuns + ')', ['Status', 'Runs'],
      r.disposals.byStatus.map(function (s) { return [s.status, s.count]; })));
    t.appendChild(table('Disposed of, per rule', ['Rule', 'Data', 'Action', 'Runs', 'Records'],
      r.disposals.items.map(function (i) { return [i.rule, i.data, i.action, i.runs, i.records]; })));
    t.appendChild(table('Storage assets by status', ['Kind', 'Status', 'Assets'],
      r.assets.byKindStatus.map(function (s) { return [s.kind, s.status, s.count]; })));
    t.appendChild(table('Sanitization certificates by method', ['Method', 'Certificates'],
      r.assets.sanitizedByMethod.map(function (m) { return [m.method, m.count]; })));
    document.body.setAttribute('data-rendered', 'true');
  }

  function load(config, token, from, to) {
    var headers = { 'content-type': 'application/json', accept: 'application/json', 'x-purpose': config.purpose };
    if (token) headers.authorization = 'Bearer ' + token.replace(/^Bearer\s+/i, '');
    $('show').disabled = true;
    document.body.removeAttribute('data-rendered');
    return fetch(config.endpoint, {
      method: 'POST', headers: headers, credentials: 'omit', cache: 'no-store',
      body: JSON.stringify({ query: config.query, variables: { from: from || null, to: to || null } }),
    }).then(function (res) {
      return res.json().catch(function () { return { errors: [{ message: 'The gateway answered HTTP ' + res.status + ' without a GraphQL response' }] }; });
    }).then(function (body) {
      if (body.errors && body.errors.length) {
        showError(body.errors.map(function (e) { return (e.extensions && e.extensions.code ? e.extensions.code + ': ' : '') + e.message; }));
      } else if (body.data && body.data.privacyReport) {
        render(body.data.privacyReport);
      } else {
        showError(['The gateway sent no report']);
      }
    }, function () {
      showError(['The gateway could not be reached']);
    }).then(function () { $('show').disabled = false; document.body.setAttribute('data-settled', 'true'); });
  }

  function resizeAll(width) { charts.forEach(function (c) { c.resize(width ? { width: width } : undefined); }); }
  window.addEventListener('beforeprint', function () { resizeAll(640); });
  window.addEventListener('afterprint', function () { resizeAll(); });
  window.addEventListener('resize', function () { resizeAll(); });

  var embedded = $('report-data');
  if (embedded) {
    $('controls').hidden = true;
    render(JSON.parse(embedded.textContent));
    return;
  }
  var config = JSON.parse($('report-config').textContent);
  var today = new Date();
  $('to').value = isoDay(today);
  $('from').value = isoDay(new Date(today.getTime() - 29 * 86400000));
  $('controls').addEventListener('submit', function (ev) {
    ev.preventDefault();
    document.body.removeAttribute('data-settled');
    load(config, $('token').value.trim(), $('from').value.trim(), $('to').value.trim());
  });
})();
