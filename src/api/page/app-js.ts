/**
 * The page's only script (served as /page/app.js; CSP allows no other): swaps in /page/live every
 * second, keeping focus; keeps the admin token in sessionStorage (never in the HTML); sends the
 * override requests of issue 15 §1 with it. Plain ES2017, no build step.
 */
export const APP_JS = String.raw`(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  document.documentElement.classList.remove('nojs');
  var live = $('live'), liveState = $('live-state'), token = $('token'), result = $('o-result');
  var KEY = 'vipd-admin-token';
  try { token.value = sessionStorage.getItem(KEY) || ''; } catch (e) { /* storage off: type it each time */ }
  token.addEventListener('input', function () { try { sessionStorage.setItem(KEY, token.value); } catch (e) { /* ignore */ } });

  // Every second; a big page (thousands of servers) waits three times as long as it took to fetch and swap.
  var busy = false, failing = false, last = '', every = 1000;
  function refresh() {
    if (busy) return Promise.resolve();
    busy = true;
    var t0 = Date.now();
    return fetch('/page/live', { cache: 'no-store', headers: { accept: 'text/html' } }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.text();
    }).then(function (html) {
      if (html !== last) {
        var a = document.activeElement, keep = a && a.id && live.contains(a) ? a.id : '';
        // Server-rendered and escaped by the same code as the first view.
        live.innerHTML = html;
        last = html;
        var el = keep && $(keep);
        if (el) el.focus();
      }
      if (failing) { liveState.textContent = 'Live: updates every second.'; failing = false; }
      if (every > 1000) liveState.textContent = 'Live: updates every ' + Math.round(every / 1000) + ' s (a large page).';
    }).catch(function (e) {
      if (!failing) { liveState.textContent = 'Live updates failing (' + e.message + '); retrying.'; failing = true; }
    }).then(function () {
      busy = false;
      every = Math.min(30000, Math.max(1000, 3 * (Date.now() - t0)));
    });
  }
  (function loop() { refresh().then(function () { setTimeout(loop, every); }); })();

  live.addEventListener('click', function (ev) {
    var b = ev.target instanceof Element ? ev.target.closest('button.act') : null;
    if (!b) return;
    $('o-pool').value = b.getAttribute('data-pool');
    $('o-host').value = b.getAttribute('data-host');
    $('actions').open = true;
    $('actions').scrollIntoView({ block: 'start' });
    $('o-state').focus();
  });

  function say(text, ok) {
    result.textContent = text;
    result.className = ok ? 'ok' : 'err';
  }

  // An answer in words: an error, the override set, or the one a DELETE removed ({"removed": …}).
  function describe(j) {
    if (!j || typeof j !== 'object') return '';
    if (j.error || j.message) return j.error || j.message;
    if (j.state) return j.state + ': ' + (j.reason || '');
    if ('removed' in j) return j.removed ? 'override removed (was ' + j.removed.state + ': ' + (j.removed.reason || '') + ')' : 'there was no override';
    return '';
  }

  function send(method, path, body) {
    if (!token.value) { say('Enter the admin token first.', false); token.focus(); return; }
    var headers = { authorization: 'Bearer ' + token.value, accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    say(method + ' ' + path + '…', true);
    fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, cache: 'no-store' })
      .then(function (r) {
        return r.text().then(function (t) {
          var msg = t;
          try { msg = describe(JSON.parse(t)) || t; } catch (e) { /* text */ }
          say((r.ok ? 'Done: ' : 'Refused (' + r.status + '): ') + msg, r.ok);
          return refresh();
        });
      })
      .catch(function (e) { say('Request failed: ' + e.message, false); });
  }

  function target() {
    var pool = $('o-pool').value.trim(), host = $('o-host').value.trim();
    if (!pool || !host) { say('Choose a server (its Override… button) or type pool and server.', false); return null; }
    return '/overrides/' + encodeURIComponent(pool) + '/' + encodeURIComponent(host);
  }

  function reason() {
    var r = $('o-reason').value.trim();
    if (!r) { say('A reason is required.', false); $('o-reason').focus(); }
    return r;
  }

  $('override-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var path = target(), why = path && reason();
    if (!path || !why) return;
    var body = { state: $('o-state').value, reason: why, force: $('o-force').checked };
    var exp = $('o-expires').value.trim();
    if (exp) body.expires = exp;
    send('PUT', path, body);
  });
  $('o-clear').addEventListener('click', function () { var p = target(); if (p) send('DELETE', p); });
  $('i-depool').addEventListener('click', function () {
    var why = reason();
    if (why) send('PUT', '/overrides/instance', { state: 'depooled', reason: why });
  });
  $('i-repool').addEventListener('click', function () { send('DELETE', '/overrides/instance'); });
})();
`;
