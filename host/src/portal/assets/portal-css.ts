/** The portal's one stylesheet, served with a content hash in its URL so browsers may cache it for good. */
export const PORTAL_CSS = `
:root {
  --bg: #f4f6f9; --panel: #fff; --ink: #1c2430; --muted: #5b6675; --line: #dde2ea;
  --brand: #1f5fbf; --brand-ink: #fff; --brand-soft: #e8f0fc; --side: #16212f; --side-ink: #c9d3e0;
  --ok: #1d7a46; --ok-soft: #e3f4ea; --warn: #8a5a00; --warn-soft: #fdf3dc; --bad: #b42318; --bad-soft: #fde8e6;
  --info: #1f5fbf; --info-soft: #e8f0fc; --focus: #f0a500; --radius: 6px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
  font-size: 15px; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; line-height: 1.45; }
a { color: var(--brand); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--panel); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
.shell { display: grid; grid-template-columns: 232px 1fr; min-height: 100vh; }
.side { background: var(--side); color: var(--side-ink); padding: 1rem 0; }
.brand { display: flex; align-items: center; gap: .55rem; padding: 0 1.1rem 1rem; color: #fff; font-weight: 700;
  font-size: 1.15rem; text-decoration: none; letter-spacing: .02em; }
.brand-mark { width: 26px; height: 26px; border-radius: 6px; background: var(--brand); display: grid; place-items: center;
  font-size: .8rem; }
.side h2 { font-size: .72rem; text-transform: uppercase; letter-spacing: .09em; color: #8796aa; margin: 1.1rem 1.1rem .35rem; }
.side ul { list-style: none; margin: 0; padding: 0; }
.side a { display: block; padding: .45rem 1.1rem; color: var(--side-ink); text-decoration: none; border-left: 3px solid transparent; }
.side a:hover { background: #1f2d3f; color: #fff; }
.side a[aria-current="page"] { background: #22344b; color: #fff; border-left-color: var(--brand); }
.main { display: flex; flex-direction: column; min-width: 0; }
.top { display: flex; justify-content: space-between; align-items: center; padding: .6rem 1.5rem; background: var(--panel);
  border-bottom: 1px solid var(--line); }
.crumbs { color: var(--muted); font-size: .88rem; }
.crumbs span + span::before { content: "›"; margin: 0 .45rem; color: #9aa5b4; }
.who { display: flex; align-items: center; gap: .8rem; font-size: .9rem; color: var(--muted); }
.role { font-size: .75rem; padding: .1rem .45rem; border-radius: 999px; background: var(--brand-soft); color: var(--brand); }
.content { padding: 1.25rem 1.5rem 2.5rem; max-width: 1280px; width: 100%; }
h1 { font-size: 1.45rem; margin: 0 0 1rem; font-weight: 650; }
h2.section { font-size: .8rem; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin: 1.4rem 0 .6rem; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.1rem; margin-bottom: 1rem; }
.panel > :first-child { margin-top: 0; }
.row { display: flex; gap: .75rem; align-items: end; flex-wrap: wrap; }
.spacer { flex: 1; }
.btn { display: inline-flex; align-items: center; gap: .35rem; padding: .45rem .9rem; border-radius: var(--radius); border: 1px solid var(--line);
  background: var(--panel); color: var(--ink); font: inherit; font-size: .92rem; cursor: pointer; text-decoration: none; line-height: 1.3; }
.btn:hover { background: #eef1f5; }
.btn.primary { background: var(--brand); border-color: var(--brand); color: var(--brand-ink); }
.btn.primary:hover { background: #1a52a6; }
.btn.danger { color: var(--bad); border-color: #f0c2bd; }
.btn.danger:hover { background: var(--bad-soft); }
.btn:disabled { opacity: .5; cursor: not-allowed; }
.btn.small { padding: .25rem .6rem; font-size: .85rem; }
label { font-weight: 600; font-size: .9rem; display: block; margin-bottom: .25rem; }
input[type=text], input[type=search], input[type=password], input[type=number], input[type=url], input[type=date], select, textarea {
  font: inherit; font-size: .93rem; padding: .42rem .55rem; border: 1px solid #c3cbd6; border-radius: var(--radius); background: #fff;
  color: var(--ink); min-width: 0; }
textarea { width: 100%; min-height: 5rem; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85rem; }
input[aria-invalid=true], select[aria-invalid=true], textarea[aria-invalid=true] { border-color: var(--bad); background: #fffafa; }
.field { margin-bottom: 1rem; max-width: 46rem; }
.field input[type=text], .field input[type=password], .field input[type=number], .field input[type=url], .field select { width: 100%; max-width: 28rem; }
.help { color: var(--muted); font-size: .84rem; margin: .25rem 0 0; }
.error { color: var(--bad); font-size: .86rem; margin: .25rem 0 0; font-weight: 600; }
.check { display: flex; gap: .5rem; align-items: flex-start; font-weight: 600; }
.check input { margin-top: .25rem; }
fieldset { max-width: 46rem; border: 1px solid var(--line); border-radius: var(--radius); padding: .8rem 1rem .2rem; margin: 0 0 1rem; }
legend { font-weight: 650; padding: 0 .35rem; }
.unit { color: var(--muted); font-size: .88rem; margin-left: .35rem; }
table { width: 100%; border-collapse: collapse; background: var(--panel); }
.table-wrap { border: 1px solid var(--line); border-radius: var(--radius); overflow-x: auto; background: var(--panel); }
th, td { text-align: left; padding: .55rem .75rem; border-bottom: 1px solid #edf0f4; font-size: .9rem; vertical-align: middle; }
th { font-size: .74rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); background: #f8f9fb; font-weight: 650; }
tbody tr:hover { background: #f8fafd; }
tbody tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85rem; }
.muted { color: var(--muted); }
.empty { padding: 2rem; text-align: center; color: var(--muted); }
.badge { display: inline-flex; align-items: center; gap: .3rem; padding: .12rem .55rem; border-radius: 999px; font-size: .78rem; font-weight: 650;
  white-space: nowrap; background: #eef1f5; color: #44505f; }
.badge.ok { background: var(--ok-soft); color: var(--ok); }
.badge.warn { background: var(--warn-soft); color: var(--warn); }
.badge.bad { background: var(--bad-soft); color: var(--bad); }
.badge.info { background: var(--info-soft); color: var(--info); }
.dot { width: .55rem; height: .55rem; border-radius: 50%; background: #a8b2bf; display: inline-block; }
.dot.on { background: #22a05a; box-shadow: 0 0 0 3px #d8f1e2; }
.notice { padding: .7rem 1rem; border-radius: var(--radius); margin-bottom: 1rem; border: 1px solid; }
.notice.ok { background: var(--ok-soft); border-color: #b6e0c6; color: #14532d; }
.notice.error { background: var(--bad-soft); border-color: #f3c1bb; color: #7a1a12; }
.notice.warn { background: var(--warn-soft); border-color: #efd9a6; color: #5c3d00; }
.tabs { display: flex; gap: .25rem; border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
.tabs a { padding: .55rem .95rem; text-decoration: none; color: var(--muted); border-bottom: 3px solid transparent; margin-bottom: -1px; font-weight: 600; }
.tabs a[aria-current="page"] { color: var(--brand); border-bottom-color: var(--brand); }
.tabs .count { font-weight: 500; font-size: .8rem; margin-left: .3rem; color: #8a95a5; }
.toolbar label { margin: 0; }
.toolbar { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin-bottom: .75rem; }
.pager { display: flex; gap: .5rem; align-items: center; justify-content: flex-end; margin-top: .75rem; color: var(--muted); font-size: .9rem; }
.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr)); gap: .75rem 1rem; align-items: end; }
.filters input, .filters select { width: 100%; height: 2.35rem; }
.dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.2rem; margin: 0; font-size: .92rem; }
.dl dt { color: var(--muted); }
.dl dd { margin: 0; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
.login-wrap { min-height: 100vh; display: grid; place-items: center; background: linear-gradient(160deg, #16212f, #1f5fbf); }
.login { width: min(24rem, 92vw); background: var(--panel); border-radius: 10px; padding: 1.8rem; box-shadow: 0 18px 50px rgba(0,0,0,.25); }
.login .brand { color: var(--ink); padding: 0 0 1rem; }
.login input { width: 100%; }
.token { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 1.05rem; padding: .6rem .8rem; background: #f3f5f8; border: 1px dashed #b9c3d0;
  border-radius: var(--radius); word-break: break-all; }
.player { background: #0f1722; border-radius: var(--radius); overflow: hidden; color: #dfe6ef; }
.screen { position: relative; aspect-ratio: 16 / 9; background: #0b1119; display: grid; place-items: center; }
.screen video { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; background: #000; }
.screen video[hidden] { display: none; }
.gap { text-align: center; color: #9fb0c4; padding: 1rem; }
.gap strong { display: block; color: #dfe6ef; font-size: 1.05rem; margin-bottom: .25rem; }
.controls { display: flex; align-items: center; gap: .75rem; padding: .6rem .8rem; background: #142031; flex-wrap: wrap; }
.controls .btn { background: #22344b; border-color: #2d4360; color: #fff; }
.controls .btn:hover { background: #2b4260; }
.controls select { background: #22344b; color: #fff; border-color: #2d4360; }
.controls label { color: #b8c5d6; font-weight: 500; margin: 0; font-size: .85rem; }
.clock { font-variant-numeric: tabular-nums; font-size: .9rem; min-width: 7.5rem; }
.timeline { position: relative; flex: 1; min-width: 14rem; height: 28px; display: flex; align-items: center; }
.timeline .lanes { position: absolute; left: 0; right: 0; top: 50%; height: 8px; margin-top: -4px; background: #33465f; border-radius: 4px; overflow: hidden; }
.timeline .lane { position: absolute; top: 0; bottom: 0; background: #4f8ff0; }
.timeline .lane.pending { background: repeating-linear-gradient(45deg, #7d8aa0, #7d8aa0 4px, #5d6a80 4px, #5d6a80 8px); }
.timeline input[type=range] { position: relative; width: 100%; margin: 0; background: transparent; -webkit-appearance: none; appearance: none; height: 28px; }
.timeline input[type=range]::-webkit-slider-runnable-track { height: 8px; background: transparent; }
.timeline input[type=range]::-webkit-slider-thumb { -webkit-appearance: none; width: 16px; height: 16px; margin-top: -4px; border-radius: 50%; background: #fff; border: 2px solid var(--brand); }
.timeline input[type=range]::-moz-range-thumb { width: 14px; height: 14px; border-radius: 50%; background: #fff; border: 2px solid var(--brand); }
.legend { display: flex; gap: 1rem; font-size: .8rem; color: #9fb0c4; padding: 0 .8rem .6rem; background: #142031; }
.legend i { display: inline-block; width: .8rem; height: .5rem; border-radius: 2px; margin-right: .3rem; vertical-align: middle; }
.progress { height: 10px; background: #e4e8ee; border-radius: 5px; overflow: hidden; margin: .5rem 0; max-width: 30rem; }
.progress > div { height: 100%; background: var(--brand); }
.log-time { white-space: nowrap; }
details summary { cursor: pointer; }
pre.fields { margin: .4rem 0 0; font-size: .8rem; white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: .5rem; border-radius: 4px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 820px) { .shell { grid-template-columns: 1fr; } .side { padding: .5rem 0; } }
`;
