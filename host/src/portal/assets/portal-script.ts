/**
 * Small enhancements on top of server-rendered pages (every page works without them): local times,
 * row selection counts, confirmations, live workstation state, upload progress and connection tests.
 */
export const PORTAL_SCRIPT = `
(function () {
  'use strict';
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function pad(n) { return (n < 10 ? '0' : '') + n; }

  // Times arrive as UTC ISO strings; people read them in their own time zone.
  function localTimes(root) {
    all('time[data-local]', root).forEach(function (el) {
      var d = new Date(el.getAttribute('datetime'));
      if (isNaN(d.getTime())) return;
      var mode = el.getAttribute('data-local');
      var date = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
      var time = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
      el.textContent = mode === 'time' ? time : date + ' ' + time;
      el.title = d.toString();
    });
  }
  localTimes(document);

  // The filter form tells the server the browser's offset so date filters mean local days.
  all('input[name=tz]').forEach(function (el) { el.value = String(new Date().getTimezoneOffset()); });

  all('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      var submitter = e.submitter;
      var text = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
      if (text && !window.confirm(text)) e.preventDefault();
    });
  });
  all('button[data-confirm]').forEach(function (btn) {
    if (btn.form && btn.form.hasAttribute('data-confirm')) return;
    btn.addEventListener('click', function (e) { if (!window.confirm(btn.getAttribute('data-confirm'))) e.preventDefault(); });
  });

  // Row selection: a header checkbox, a live count, and actions enabled only with a selection.
  all('[data-select-table]').forEach(function (table) {
    var form = table.closest('form');
    var head = table.querySelector('input[data-select-all]');
    var count = form && form.querySelector('[data-selected-count]');
    function rows() { return all('input[name=ids]', table); }
    function update() {
      var n = rows().filter(function (c) { return c.checked; }).length;
      if (count) count.textContent = String(n);
      if (head) { head.checked = n > 0 && n === rows().length; head.indeterminate = n > 0 && n < rows().length; }
      all('[data-needs-selection]', form).forEach(function (b) { b.disabled = n === 0; });
    }
    if (head) head.addEventListener('change', function () { rows().forEach(function (c) { c.checked = head.checked; }); update(); });
    table.addEventListener('change', function (e) { if (e.target.name === 'ids') update(); });
    update();
  });

  // Workstations: online state, login and last contact refresh every few seconds.
  var live = document.querySelector('[data-live-url]');
  if (live) {
    var refresh = function () {
      var ids = all('tr[data-ws]', live).map(function (tr) { return tr.getAttribute('data-ws'); });
      if (!ids.length) return;
      var url = live.getAttribute('data-live-url') + '?' + ids.map(function (id) { return 'id=' + encodeURIComponent(id); }).join('&');
      fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          data.items.forEach(function (w) {
            var tr = live.querySelector('tr[data-ws="' + CSS.escape(w.id) + '"]');
            if (!tr) return;
            var set = function (name, html) { var td = tr.querySelector('[data-col=' + name + ']'); if (td && td.innerHTML !== html) td.innerHTML = html; };
            set('online', '<span class="dot' + (w.online ? ' on' : '') + '" aria-hidden="true"></span> ' + (w.online ? 'Online' : 'Offline'));
            set('state', w.stateHtml);
            var login = tr.querySelector('[data-col=login]'); if (login) login.textContent = w.login || '—';
            var seen = tr.querySelector('[data-col=seen] time');
            if (seen && seen.getAttribute('datetime') !== w.lastSeen) { seen.setAttribute('datetime', w.lastSeen); localTimes(tr); }
          });
        })
        .catch(function () {});
    };
    setInterval(refresh, Number(live.getAttribute('data-live-every') || 3000));
  }

  // Upload progress on a call page: poll until every part is stored, then reload to get the player.
  var progress = document.querySelector('[data-progress-url]');
  if (progress) {
    var poll = function () {
      fetch(progress.getAttribute('data-progress-url'), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p) return;
          var bar = progress.querySelector('[data-bar]');
          var text = progress.querySelector('[data-text]');
          if (bar) bar.style.width = p.percent + '%';
          if (text) text.textContent = p.text;
          if (p.complete) window.location.reload();
        })
        .catch(function () {});
    };
    setInterval(poll, 3000);
  }

  // Connection tests answer inline instead of leaving the page.
  all('form[data-test-connection]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var out = document.getElementById(form.getAttribute('data-test-connection'));
      var btn = form.querySelector('button');
      btn.disabled = true;
      out.className = 'notice warn';
      out.hidden = false;
      out.textContent = 'Testing the connection…';
      fetch(form.action, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) { return r.json(); })
        .then(function (res) { out.className = 'notice ' + (res.ok ? 'ok' : 'error'); out.textContent = res.message; })
        .catch(function () { out.className = 'notice error'; out.textContent = 'The test could not be run.'; })
        .then(function () { btn.disabled = false; });
    });
  });

  all('[data-copy]').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var el = document.getElementById(btn.getAttribute('data-copy'));
      if (el && navigator.clipboard) navigator.clipboard.writeText(el.textContent.trim()).then(function () { btn.textContent = 'Copied'; });
    });
  });
})();
`;
