/** The page's stylesheet (served as /page/app.css): readable on a phone, visible focus, no inline styles (CSP). */
export const APP_CSS = String.raw`:root { color-scheme: light dark; --good: #137333; --bad: #b3261e; --warn: #8a5300; --line: #8884; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 0 1rem 3rem; max-width: 90rem; }
h1 { margin: .5rem 0 0; font-size: 1.5rem; } h2 { margin-top: 2rem; border-bottom: 1px solid var(--line); }
h3 small, .muted { color: GrayText; font-weight: normal; }
a, button, input, select { font: inherit; }
:focus-visible { outline: 3px solid Highlight; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: Canvas; padding: .5rem; }
nav a { margin-right: .75rem; display: inline-block; padding: .25rem 0; }
.meta { font-size: .9em; color: GrayText; }
.nojs .js-only { display: none; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
.badge { display: inline-block; padding: 0 .4em; border-radius: .3em; border: 1px solid currentColor; font-size: .85em; white-space: nowrap; }
.badge.good { color: var(--good); } .badge.bad { color: var(--bad); font-weight: 600; } .badge.warn { color: var(--warn); }
.why { color: var(--bad); }
.instance { border: 2px solid var(--bad); padding: .5rem; border-radius: .4rem; }
.spark { white-space: nowrap; } .spark svg { vertical-align: middle; } .num { font-size: .85em; }
ul.peers { margin: 0; padding-left: 1rem; }
button { padding: .4rem .8rem; min-height: 2.4rem; cursor: pointer; }
summary { cursor: pointer; } summary h2 { display: inline; border: 0; margin: 0; font-size: 1.2rem; }
#actions { margin-top: 1rem; border: 1px solid var(--line); border-radius: .4rem; padding: .5rem 1rem; }
form { margin-top: 1rem; display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: .75rem; }
.field { display: flex; flex-direction: column; gap: .2rem; } .field.check { flex-direction: row; align-items: center; gap: .5rem; }
.field input, .field select { padding: .4rem; min-height: 2.4rem; }
.buttons { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
#o-result { grid-column: 1 / -1; margin: 0; } #o-result.ok { color: var(--good); } #o-result.err { color: var(--bad); }
@media (prefers-color-scheme: dark) { :root { --good: #6dd58c; --bad: #ff8a80; --warn: #ffb74d; } }
@media (max-width: 40rem) {
  table, thead, tbody, tr, td, caption { display: block; width: 100%; }
  thead { position: absolute; left: -9999px; }
  tr { border: 1px solid var(--line); border-radius: .4rem; margin: .5rem 0; padding: .25rem; }
  td { border: 0; padding: .2rem .25rem; }
  td::before { content: attr(data-label) ": "; font-weight: 600; }
}
`;
