/**
 * Small enhancements on top of server-rendered pages (every page works without them): local times,
 * row selection counts, confirmations, live workstation state, upload progress and connection tests.
 */
import { localDateTime } from './portal/local-time.js';

const all = <T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T[] => [
  ...root.querySelectorAll<T>(selector),
];

/** Times arrive as UTC ISO strings; people read them in their own time zone. */
function localTimes(root: ParentNode): void {
  for (const el of all<HTMLTimeElement>('time[data-local]', root)) {
    const d = new Date(el.getAttribute('datetime') ?? '');
    if (Number.isNaN(d.getTime())) continue;
    el.textContent = localDateTime(d, el.dataset.local === 'time' ? 'time' : 'date-time');
    el.title = d.toString();
  }
}
localTimes(document);

// The filter form tells the server the browser's offset so date filters mean local days.
for (const el of all<HTMLInputElement>('input[name=tz]')) el.value = String(new Date().getTimezoneOffset());

for (const form of all<HTMLFormElement>('form[data-confirm]')) {
  form.addEventListener('submit', (e) => {
    const submitter = e.submitter;
    const text = submitter?.getAttribute('data-confirm') || form.getAttribute('data-confirm');
    if (text && !window.confirm(text)) e.preventDefault();
  });
}
for (const button of all<HTMLButtonElement>('button[data-confirm]')) {
  if (button.form?.hasAttribute('data-confirm')) continue;
  button.addEventListener('click', (e) => {
    if (!window.confirm(button.dataset.confirm ?? '')) e.preventDefault();
  });
}

// Row selection: a header checkbox, a live count, and actions enabled only with a selection.
for (const table of all('[data-select-table]')) {
  const form = table.closest('form');
  const head = table.querySelector<HTMLInputElement>('input[data-select-all]');
  const count = form?.querySelector('[data-selected-count]');
  const rows = () => all<HTMLInputElement>('input[name=ids]', table);
  const update = () => {
    const n = rows().filter((c) => c.checked).length;
    if (count) count.textContent = String(n);
    if (head) {
      head.checked = n > 0 && n === rows().length;
      head.indeterminate = n > 0 && n < rows().length;
    }
    if (form) for (const b of all<HTMLButtonElement>('[data-needs-selection]', form)) b.disabled = n === 0;
  };
  head?.addEventListener('change', () => {
    for (const c of rows()) c.checked = head.checked;
    update();
  });
  table.addEventListener('change', (e) => {
    if ((e.target as HTMLInputElement).name === 'ids') update();
  });
  update();
}

interface LiveWorkstation {
  id: string;
  online: boolean;
  stateHtml: string;
  login: string | null;
  lastSeen: string;
}

// Workstations: online state, login and last contact refresh every few seconds.
const live = document.querySelector<HTMLElement>('[data-live-url]');
if (live) {
  const refresh = async () => {
    const ids = all('tr[data-ws]', live).map((tr) => tr.dataset.ws ?? '');
    if (!ids.length) return;
    const query = ids.map((id) => `id=${encodeURIComponent(id)}`).join('&');
    const res = await fetch(`${live.dataset.liveUrl}?${query}`, {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (!res.ok) return;
    const data = (await res.json()) as { items: LiveWorkstation[] };
    for (const w of data.items) {
      const tr = live.querySelector(`tr[data-ws="${CSS.escape(w.id)}"]`);
      if (!tr) continue;
      const set = (name: string, html: string) => {
        const td = tr.querySelector(`[data-col=${name}]`);
        if (td && td.innerHTML !== html) td.innerHTML = html;
      };
      set(
        'online',
        `<span class="dot${w.online ? ' on' : ''}" aria-hidden="true"></span> ${w.online ? 'Online' : 'Offline'}`,
      );
      set('state', w.stateHtml);
      const login = tr.querySelector('[data-col=login]');
      if (login) login.textContent = w.login || '—';
      const seen = tr.querySelector('[data-col=seen] time');
      if (seen && seen.getAttribute('datetime') !== w.lastSeen) {
        seen.setAttribute('datetime', w.lastSeen);
        localTimes(tr);
      }
    }
  };
  setInterval(() => refresh().catch(() => {}), Number(live.dataset.liveEvery || 3000));
}

// Upload progress on a call page: poll until every part is stored, then reload to get the player.
const progress = document.querySelector<HTMLElement>('[data-progress-url]');
if (progress) {
  const poll = async () => {
    const res = await fetch(progress.dataset.progressUrl ?? '', { credentials: 'same-origin' });
    if (!res.ok) return;
    const p = (await res.json()) as { percent: number; text: string; complete: boolean };
    const bar = progress.querySelector<HTMLElement>('[data-bar]');
    const text = progress.querySelector('[data-text]');
    if (bar) bar.style.width = `${p.percent}%`;
    if (text) text.textContent = p.text;
    if (p.complete) window.location.reload();
  };
  setInterval(() => poll().catch(() => {}), 3000);
}

// Connection tests answer inline instead of leaving the page.
for (const form of all<HTMLFormElement>('form[data-test-connection]')) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = document.getElementById(form.dataset.testConnection ?? '');
    const button = form.querySelector('button');
    if (!out || !button) return;
    button.disabled = true;
    out.className = 'notice warn';
    out.hidden = false;
    out.textContent = 'Testing the connection…';
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      });
      const result = (await res.json()) as { ok: boolean; message: string };
      out.className = `notice ${result.ok ? 'ok' : 'error'}`;
      out.textContent = result.message;
    } catch {
      out.className = 'notice error';
      out.textContent = 'The test could not be run.';
    } finally {
      button.disabled = false;
    }
  });
}

for (const button of all<HTMLButtonElement>('[data-copy]')) {
  button.addEventListener('click', () => {
    const el = document.getElementById(button.dataset.copy ?? '');
    if (el && navigator.clipboard)
      navigator.clipboard.writeText((el.textContent ?? '').trim()).then(() => {
        button.textContent = 'Copied';
      });
  });
}
